package io.brook.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A topic's id and replica assignment: partition -> replica broker ids, preferred leader first.
 * Immutable; partitions are numbered 0..n-1.
 *
 * <p>During a reassignment (Kafka's layout) {@code replicas} holds every replica the partition has
 * now: the target replicas followed by the removing ones; {@code adding} holds the target replicas
 * that were not in the original assignment and {@code removing} the original replicas that are not
 * in the target. Both maps hold only partitions being moved (never an empty list).
 */
public record TopicAssignment(
    String name,
    UUID topicId,
    SortedMap<Integer, List<Integer>> replicas,
    SortedMap<Integer, List<Integer>> adding,
    SortedMap<Integer, List<Integer>> removing) {

  public TopicAssignment {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(topicId, "topicId");
    replicas = copy(replicas, false);
    adding = copy(adding, true);
    removing = copy(removing, true);
  }

  /** A topic with no reassignment in progress. */
  public TopicAssignment(String name, UUID topicId, SortedMap<Integer, List<Integer>> replicas) {
    this(name, topicId, replicas, new TreeMap<>(), new TreeMap<>());
  }

  private static SortedMap<Integer, List<Integer>> copy(
      SortedMap<Integer, List<Integer>> m, boolean dropEmpty) {
    TreeMap<Integer, List<Integer>> copy = new TreeMap<>();
    if (m != null) {
      for (Map.Entry<Integer, List<Integer>> e : m.entrySet()) {
        if (dropEmpty && (e.getValue() == null || e.getValue().isEmpty())) {
          continue;
        }
        copy.put(e.getKey(), List.copyOf(e.getValue()));
      }
    }
    return Collections.unmodifiableSortedMap(copy);
  }

  public int numPartitions() {
    return replicas.size();
  }

  /** The replica count of partition 0 (every partition has the same count when created here). */
  public int replicationFactor() {
    return replicas.isEmpty() ? 0 : replicas.get(replicas.firstKey()).size();
  }

  /** The replicas of {@code partition}, or an empty list for an unknown partition. */
  public List<Integer> replicasOf(int partition) {
    return replicas.getOrDefault(partition, List.of());
  }

  /** The replicas being added to {@code partition} (empty when it is not being moved). */
  public List<Integer> addingOf(int partition) {
    return adding.getOrDefault(partition, List.of());
  }

  /** The replicas being removed from {@code partition} (empty when it is not being moved). */
  public List<Integer> removingOf(int partition) {
    return removing.getOrDefault(partition, List.of());
  }

  /** Whether {@code partition} is being reassigned. */
  public boolean isReassigning(int partition) {
    return adding.containsKey(partition) || removing.containsKey(partition);
  }

  /** Whether any partition of the topic is being reassigned. */
  public boolean isReassigning() {
    return !adding.isEmpty() || !removing.isEmpty();
  }

  /** The replicas {@code partition} will have once its reassignment completes. */
  public List<Integer> targetReplicasOf(int partition) {
    List<Integer> out = new ArrayList<>(replicasOf(partition));
    out.removeAll(removingOf(partition));
    return out;
  }

  /** The replicas {@code partition} had before its reassignment (what a cancel restores). */
  public List<Integer> originalReplicasOf(int partition) {
    List<Integer> out = new ArrayList<>(replicasOf(partition));
    out.removeAll(addingOf(partition));
    return out;
  }

  /** This assignment with {@code partition}'s replicas, adding and removing replaced. */
  public TopicAssignment withPartition(
      int partition,
      List<Integer> newReplicas,
      List<Integer> newAdding,
      List<Integer> newRemoving) {
    TreeMap<Integer, List<Integer>> r = new TreeMap<>(replicas);
    TreeMap<Integer, List<Integer>> a = new TreeMap<>(adding);
    TreeMap<Integer, List<Integer>> m = new TreeMap<>(removing);
    r.put(partition, newReplicas);
    a.put(partition, newAdding);
    m.put(partition, newRemoving);
    return new TopicAssignment(name, topicId, r, a, m);
  }
}
