package io.brook.metadata.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The value of {@code leader.replication.throttled.replicas} / {@code
 * follower.replication.throttled.replicas}: {@code *} (every replica of the topic), empty (none),
 * or a list {@code partition:brokerId,partition:brokerId,...} (Kafka's format). Immutable.
 */
public final class ThrottledReplicas {
  /** One {@code partition:brokerId} entry. */
  public record Replica(int partition, int brokerId) implements Comparable<Replica> {
    @Override
    public int compareTo(Replica o) {
      int c = Integer.compare(partition, o.partition);
      return c != 0 ? c : Integer.compare(brokerId, o.brokerId);
    }

    @Override
    public String toString() {
      return partition + ":" + brokerId;
    }
  }

  public static final ThrottledReplicas NONE = new ThrottledReplicas(false, List.of());
  public static final ThrottledReplicas ALL = new ThrottledReplicas(true, List.of());

  private final boolean all;
  private final List<Replica> replicas;

  private ThrottledReplicas(boolean all, List<Replica> replicas) {
    this.all = all;
    this.replicas = List.copyOf(replicas);
  }

  /** A list of replicas (kept in the given order, duplicates dropped). */
  public static ThrottledReplicas of(Collection<Replica> replicas) {
    List<Replica> out = new ArrayList<>();
    for (Replica r : replicas) {
      if (!out.contains(r)) {
        out.add(r);
      }
    }
    return out.isEmpty() ? NONE : new ThrottledReplicas(false, out);
  }

  /**
   * Parses a config value; null or blank is {@link #NONE}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static ThrottledReplicas parse(String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    String v = value.trim();
    if (v.equals("*")) {
      return ALL;
    }
    List<Replica> out = new ArrayList<>();
    for (String raw : v.split(",", -1)) {
      String item = raw.trim();
      int colon = item.indexOf(':');
      if (colon <= 0 || colon == item.length() - 1) {
        throw new IllegalArgumentException(
            "'" + item + "' is not of the form partition:brokerId (or use * for every replica)");
      }
      int p;
      int b;
      try {
        p = Integer.parseInt(item.substring(0, colon).trim());
        b = Integer.parseInt(item.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + item + "' is not of the form partition:brokerId (both numbers)");
      }
      if (p < 0 || b < 0) {
        throw new IllegalArgumentException(
            "'" + item + "': partition and broker id must not be negative");
      }
      out.add(new Replica(p, b));
    }
    return of(out);
  }

  public boolean isAll() {
    return all;
  }

  public boolean isEmpty() {
    return !all && replicas.isEmpty();
  }

  public List<Replica> replicas() {
    return replicas;
  }

  /** Whether the replica of {@code partition} on broker {@code brokerId} is throttled. */
  public boolean applies(int partition, int brokerId) {
    return all || replicas.contains(new Replica(partition, brokerId));
  }

  /** The partitions throttled on broker {@code brokerId} (not meaningful for {@link #ALL}). */
  public Set<Integer> partitionsOn(int brokerId) {
    Set<Integer> out = new TreeSet<>();
    for (Replica r : replicas) {
      if (r.brokerId() == brokerId) {
        out.add(r.partition());
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /** This list without any entry of {@code partitions} ({@link #ALL} stays ALL). */
  public ThrottledReplicas withoutPartitions(Collection<Integer> partitions) {
    if (all) {
      return this;
    }
    return of(replicas.stream().filter(r -> !partitions.contains(r.partition())).toList());
  }

  /** The config value: {@code *}, empty, or {@code p:b,p:b}. */
  @Override
  public String toString() {
    if (all) {
      return "*";
    }
    return String.join(",", replicas.stream().map(Replica::toString).toList());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ThrottledReplicas t && t.all == all && t.replicas.equals(replicas);
  }

  @Override
  public int hashCode() {
    return Objects.hash(all, replicas);
  }
}
