package io.brook.client.tools;

import io.brook.client.tools.ToolArgs.UsageException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka's replica placement (AdminUtils.assignReplicasToBrokers), as kafka-reassign-partitions.sh
 * --generate uses it. Without racks: partition p's first replica is broker {@code (p + start) % n},
 * the others follow at a shift that grows by one every n partitions, so leaders and followers
 * spread evenly. With racks (every broker has one): the same walk over a rack-alternated broker
 * list (racks sorted, one broker of each rack in turn), skipping a broker whose rack or itself
 * already holds a replica of the partition until every rack / broker does. The start index and the
 * initial shift are random: the {@link Random} is injected so tests get a fixed plan. Stateless
 * apart from the Random; not thread-safe.
 */
final class ReplicaPlacement {
  private final Random random;

  ReplicaPlacement(Random random) {
    this.random = random;
  }

  /**
   * Replicas for partitions 0..partitions-1.
   *
   * @param racks broker id -> rack ("" or null: no rack); either every broker has a rack
   *     (rack-aware placement) or none is used (pass {@code rackAware=false})
   */
  Map<Integer, List<Integer>> assign(
      int partitions, int replicationFactor, Map<Integer, String> racks, boolean rackAware) {
    if (replicationFactor <= 0) {
      throw new UsageException("Replication factor must be larger than 0.");
    }
    if (replicationFactor > racks.size()) {
      throw new UsageException(
          "Replication factor: "
              + replicationFactor
              + " larger than available brokers: "
              + racks.size()
              + ".");
    }
    if (!rackAware) {
      return assignRackUnaware(partitions, replicationFactor, new ArrayList<>(racks.keySet()));
    }
    for (Map.Entry<Integer, String> e : racks.entrySet()) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw new UsageException(
            "Not all brokers have rack information (broker "
                + e.getKey()
                + " has none). Add --disable-rack-aware in command line to make replica"
                + " assignment without rack information.");
      }
    }
    return assignRackAware(partitions, replicationFactor, racks);
  }

  private Map<Integer, List<Integer>> assignRackUnaware(
      int partitions, int replicationFactor, List<Integer> brokers) {
    brokers.sort(null);
    int n = brokers.size();
    int startIndex = random.nextInt(n);
    int nextReplicaShift = random.nextInt(n);
    Map<Integer, List<Integer>> out = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      if (p > 0 && p % n == 0) {
        nextReplicaShift++;
      }
      int first = (p + startIndex) % n;
      List<Integer> replicas = new ArrayList<>();
      replicas.add(brokers.get(first));
      for (int j = 0; j < replicationFactor - 1; j++) {
        replicas.add(brokers.get(replicaIndex(first, nextReplicaShift, j, n)));
      }
      out.put(p, replicas);
    }
    return out;
  }

  private Map<Integer, List<Integer>> assignRackAware(
      int partitions, int replicationFactor, Map<Integer, String> racks) {
    List<Integer> arranged = rackAlternatedBrokerList(racks);
    int numRacks = new HashSet<>(racks.values()).size();
    int n = arranged.size();
    int startIndex = random.nextInt(n);
    int nextReplicaShift = random.nextInt(n);
    Map<Integer, List<Integer>> out = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      if (p > 0 && p % n == 0) {
        nextReplicaShift++;
      }
      int first = (p + startIndex) % n;
      int leader = arranged.get(first);
      List<Integer> replicas = new ArrayList<>(List.of(leader));
      Set<String> racksWithReplicas = new HashSet<>(Set.of(racks.get(leader)));
      Set<Integer> brokersWithReplicas = new HashSet<>(Set.of(leader));
      int k = 0;
      for (int j = 0; j < replicationFactor - 1; j++) {
        while (true) {
          int broker = arranged.get(replicaIndex(first, nextReplicaShift * numRacks, k, n));
          String rack = racks.get(broker);
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
      out.put(p, replicas);
    }
    return out;
  }

  private static int replicaIndex(int first, int secondReplicaShift, int replicaIndex, int n) {
    int shift = 1 + (secondReplicaShift + replicaIndex) % (n - 1);
    return (first + shift) % n;
  }

  /**
   * Racks sorted, brokers of each rack sorted; one broker of each rack in turn: {@code a:[1,2,3],
   * b:[4,5], c:[6]} gives 1,4,6,2,5,3.
   */
  static List<Integer> rackAlternatedBrokerList(Map<Integer, String> racks) {
    Map<String, List<Integer>> byRack = new TreeMap<>();
    racks.forEach((id, rack) -> byRack.computeIfAbsent(rack, r -> new ArrayList<>()).add(id));
    List<Iterator<Integer>> its = new ArrayList<>();
    byRack.values().forEach(l -> its.add(l.stream().sorted().iterator()));
    List<Integer> out = new ArrayList<>();
    int rack = 0;
    while (out.size() < racks.size()) {
      Iterator<Integer> it = its.get(rack);
      if (it.hasNext()) {
        out.add(it.next());
      }
      rack = (rack + 1) % its.size();
    }
    return out;
  }
}
