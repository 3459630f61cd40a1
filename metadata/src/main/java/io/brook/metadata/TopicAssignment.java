package io.brook.metadata;

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
 */
public record TopicAssignment(
    String name, UUID topicId, SortedMap<Integer, List<Integer>> replicas) {

  public TopicAssignment {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(topicId, "topicId");
    TreeMap<Integer, List<Integer>> copy = new TreeMap<>();
    for (Map.Entry<Integer, List<Integer>> e : replicas.entrySet()) {
      copy.put(e.getKey(), List.copyOf(e.getValue()));
    }
    replicas = Collections.unmodifiableSortedMap(copy);
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
}
