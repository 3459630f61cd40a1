package io.brook.controller.election;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Replica placement for new topics and new partitions, as Kafka's {@code
 * AdminUtils.assignReplicasToBrokers}.
 *
 * <p>Rack-unaware (no broker has a rack): partition p's first replica is broker {@code (p + start)
 * % n} of the sorted broker list, so partitions and leaders spread round-robin; the followers are
 * shifted by an amount that grows every n partitions, so that replicas spread too.
 *
 * <p>Rack-aware (every broker has a rack): the same walk over a rack-alternated broker list (racks
 * sorted, one broker of each rack in turn: {@code [a1, b1, c1, a2, b2, a3]}); a follower is skipped
 * while its rack already holds a replica of the partition and some rack holds none, or while its
 * broker already holds one and some broker holds none. So the replicas of a partition sit on
 * distinct racks while there are enough racks, and leaders spread over racks and brokers.
 *
 * <p>Some brokers with a rack and some without: refused ("Not all brokers have rack information for
 * replica rack aware assignment."), as Kafka does.
 *
 * <p>The start index and shift come from the injected {@link Random} unless fixed; {@code
 * startPartitionId} continues the walk for partitions added to an existing topic. Stateless.
 */
public final class ReplicaPlacement {
  private ReplicaPlacement() {}

  /** Kafka's AdminOperationException message for mixed racks. */
  public static final String NOT_ALL_RACKS =
      "Not all brokers have rack information for replica rack aware assignment.";

  /** Rack-unaware placement of partitions 0..numPartitions-1 over {@code brokers}. */
  public static SortedMap<Integer, List<Integer>> assign(
      List<Integer> brokers,
      int numPartitions,
      int replicationFactor,
      int fixedStartIndex,
      Random random) {
    Map<Integer, String> racks = new TreeMap<>();
    brokers.forEach(b -> racks.put(b, null));
    return assign(racks, numPartitions, replicationFactor, fixedStartIndex, -1, random);
  }

  /**
   * @param brokerRacks broker id -> its rack (null when the broker has none)
   * @param numPartitions how many partitions to place
   * @param fixedStartIndex the start index and first shift, or -1 for random ones
   * @param startPartitionId the id of the first partition placed (the current partition count when
   *     adding partitions), or -1 for 0
   * @throws IllegalArgumentException when rf is not in 1..brokers, partitions < 1, or only some
   *     brokers have a rack
   */
  public static SortedMap<Integer, List<Integer>> assign(
      Map<Integer, String> brokerRacks,
      int numPartitions,
      int replicationFactor,
      int fixedStartIndex,
      int startPartitionId,
      Random random) {
    if (numPartitions < 1) {
      throw new IllegalArgumentException("Number of partitions must be larger than 0.");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("Replication factor must be larger than 0.");
    }
    if (replicationFactor > brokerRacks.size()) {
      throw new IllegalArgumentException(
          "Replication factor: "
              + replicationFactor
              + " larger than available brokers: "
              + brokerRacks.size()
              + ".");
    }
    long withRack = brokerRacks.values().stream().filter(r -> r != null).count();
    if (withRack == 0) {
      List<Integer> sorted = new ArrayList<>(brokerRacks.keySet());
      sorted.sort(null);
      return rackUnaware(
          sorted, numPartitions, replicationFactor, fixedStartIndex, startPartitionId, random);
    }
    if (withRack != brokerRacks.size()) {
      throw new IllegalArgumentException(NOT_ALL_RACKS);
    }
    return rackAware(
        brokerRacks, numPartitions, replicationFactor, fixedStartIndex, startPartitionId, random);
  }

  private static SortedMap<Integer, List<Integer>> rackUnaware(
      List<Integer> sorted,
      int numPartitions,
      int replicationFactor,
      int fixedStartIndex,
      int startPartitionId,
      Random random) {
    int n = sorted.size();
    int startIndex = fixedStartIndex >= 0 ? fixedStartIndex : random.nextInt(n);
    int nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : random.nextInt(n);
    int p = Math.max(0, startPartitionId);
    SortedMap<Integer, List<Integer>> out = new TreeMap<>();
    for (int i = 0; i < numPartitions; i++, p++) {
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

  private static SortedMap<Integer, List<Integer>> rackAware(
      Map<Integer, String> brokerRacks,
      int numPartitions,
      int replicationFactor,
      int fixedStartIndex,
      int startPartitionId,
      Random random) {
    List<Integer> arranged = rackAlternatedBrokerList(brokerRacks);
    int numRacks = new HashSet<>(brokerRacks.values()).size();
    int n = arranged.size();
    int startIndex = fixedStartIndex >= 0 ? fixedStartIndex : random.nextInt(n);
    int nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : random.nextInt(n);
    int p = Math.max(0, startPartitionId);
    SortedMap<Integer, List<Integer>> out = new TreeMap<>();
    for (int i = 0; i < numPartitions; i++, p++) {
      if (p > 0 && p % n == 0) {
        nextReplicaShift++;
      }
      int first = (p + startIndex) % n;
      int leader = arranged.get(first);
      List<Integer> replicas = new ArrayList<>(replicationFactor);
      replicas.add(leader);
      Set<String> racksWithReplicas = new HashSet<>();
      racksWithReplicas.add(brokerRacks.get(leader));
      Set<Integer> brokersWithReplicas = new HashSet<>();
      brokersWithReplicas.add(leader);
      int k = 0;
      for (int j = 0; j < replicationFactor - 1; j++) {
        while (true) {
          int broker = arranged.get(replicaIndex(first, nextReplicaShift * numRacks, k, n));
          String rack = brokerRacks.get(broker);
          k++;
          if ((!racksWithReplicas.contains(rack) || racksWithReplicas.size() == numRacks)
              && (!brokersWithReplicas.contains(broker) || brokersWithReplicas.size() == n)) {
            replicas.add(broker);
            racksWithReplicas.add(rack);
            brokersWithReplicas.add(broker);
            break;
          }
        }
      }
      out.put(p, List.copyOf(replicas));
    }
    return out;
  }

  /**
   * Kafka's {@code getRackAlternatedBrokerList}: racks sorted, brokers of a rack sorted, then one
   * broker of each rack in turn until all are taken.
   */
  public static List<Integer> rackAlternatedBrokerList(Map<Integer, String> brokerRacks) {
    TreeMap<String, List<Integer>> byRack = new TreeMap<>();
    brokerRacks.forEach((b, r) -> byRack.computeIfAbsent(r, x -> new ArrayList<>()).add(b));
    List<Iterator<Integer>> iterators = new ArrayList<>();
    for (List<Integer> bs : byRack.values()) {
      bs.sort(null);
      iterators.add(bs.iterator());
    }
    List<Integer> out = new ArrayList<>();
    int rackIndex = 0;
    while (out.size() < brokerRacks.size()) {
      Iterator<Integer> it = iterators.get(rackIndex);
      if (it.hasNext()) {
        out.add(it.next());
      }
      rackIndex = (rackIndex + 1) % iterators.size();
    }
    return out;
  }

  private static int replicaIndex(int first, int secondReplicaShift, int replicaIndex, int n) {
    int shift = 1 + (secondReplicaShift + replicaIndex) % (n - 1);
    return (first + shift) % n;
  }
}
