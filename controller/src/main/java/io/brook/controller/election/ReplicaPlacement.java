package io.brook.controller.election;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Replica placement for new topics, rack-unaware (Kafka's {@code
 * AdminUtils.assignReplicasToBrokersRackUnaware}): partition p's first replica is broker {@code (p
 * + start) % n}, so partitions and leaders spread round-robin; the followers are shifted by an
 * amount that grows every n partitions, so that replicas spread too. The start index and shift come
 * from the injected {@link Random} unless fixed. Stateless.
 */
public final class ReplicaPlacement {
  private ReplicaPlacement() {}

  /**
   * @param brokers live broker ids (any order; sorted here)
   * @param fixedStartIndex the start index and first shift, or -1 for random ones
   * @throws IllegalArgumentException when rf is not in 1..brokers or partitions < 1
   */
  public static SortedMap<Integer, List<Integer>> assign(
      List<Integer> brokers,
      int numPartitions,
      int replicationFactor,
      int fixedStartIndex,
      Random random) {
    if (numPartitions < 1) {
      throw new IllegalArgumentException("Number of partitions must be larger than 0.");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("Replication factor must be larger than 0.");
    }
    if (replicationFactor > brokers.size()) {
      throw new IllegalArgumentException(
          "Replication factor: "
              + replicationFactor
              + " larger than available brokers: "
              + brokers.size()
              + ".");
    }
    List<Integer> sorted = new ArrayList<>(brokers);
    sorted.sort(null);
    int n = sorted.size();
    int startIndex = fixedStartIndex >= 0 ? fixedStartIndex : random.nextInt(n);
    int nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : random.nextInt(n);
    SortedMap<Integer, List<Integer>> out = new TreeMap<>();
    for (int p = 0; p < numPartitions; p++) {
      if (p > 0 && p % n == 0) {
        nextReplicaShift++;
      }
      int first = (p + startIndex) % n;
      List<Integer> replicas = new ArrayList<>(replicationFactor);
      replicas.add(sorted.get(first));
      for (int j = 0; j < replicationFactor - 1; j++) {
        replicas.add(sorted.get(replicaIndex(first, nextReplicaShift, j, n)));
      }
      out.put(p, List.copyOf(replicas));
    }
    return out;
  }

  private static int replicaIndex(int first, int secondReplicaShift, int replicaIndex, int n) {
    int shift = 1 + (secondReplicaShift + replicaIndex) % (n - 1);
    return (first + shift) % n;
  }
}
