package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaPlacementTest {

  static Stream<Arguments> fixedCases() {
    return Stream.of(
        // brokers, partitions, rf, start, expected
        Arguments.of(
            List.of(1, 2, 3), 3, 1, 0, Map.of(0, List.of(1), 1, List.of(2), 2, List.of(3))),
        Arguments.of(
            List.of(3, 1, 2),
            4,
            1,
            1,
            Map.of(0, List.of(2), 1, List.of(3), 2, List.of(1), 3, List.of(2))),
        // Kafka's example: 5 brokers, 10 partitions, rf 3, start 0
        Arguments.of(
            List.of(0, 1, 2, 3, 4),
            10,
            3,
            0,
            Map.of(
                0, List.of(0, 1, 2),
                1, List.of(1, 2, 3),
                2, List.of(2, 3, 4),
                3, List.of(3, 4, 0),
                4, List.of(4, 0, 1),
                5, List.of(0, 2, 3),
                6, List.of(1, 3, 4),
                7, List.of(2, 4, 0),
                8, List.of(3, 0, 1),
                9, List.of(4, 1, 2))));
  }

  @ParameterizedTest
  @MethodSource("fixedCases")
  void fixedStart(
      List<Integer> brokers,
      int partitions,
      int rf,
      int start,
      Map<Integer, List<Integer>> expected) {
    assertEquals(expected, ReplicaPlacement.assign(brokers, partitions, rf, start, new Random(1)));
  }

  @Test
  void randomStartSpreadsLeadersEvenlyAndReplicasOnDistinctBrokers() {
    for (int seed = 0; seed < 20; seed++) {
      SortedMap<Integer, List<Integer>> a =
          ReplicaPlacement.assign(List.of(1, 2, 3), 9, 2, -1, new Random(seed));
      Map<Integer, Integer> leaders = new HashMap<>();
      a.values().forEach(rs -> leaders.merge(rs.get(0), 1, Integer::sum));
      assertEquals(Map.of(1, 3, 2, 3, 3, 3), leaders);
      a.values().forEach(rs -> assertEquals(rs.size(), new HashSet<>(rs).size()));
    }
  }

  @Test
  void replicationFactorAboveBrokers() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReplicaPlacement.assign(List.of(1), 1, 3, -1, new Random()));
    assertEquals("Replication factor: 3 larger than available brokers: 1.", e.getMessage());
  }

  @Test
  void rackAlternatedListAndKafkasRackAwareExample() {
    Map<Integer, String> racks = new TreeMap<>();
    racks.put(0, "rack1");
    racks.put(1, "rack3");
    racks.put(2, "rack3");
    racks.put(3, "rack2");
    racks.put(4, "rack2");
    racks.put(5, "rack1");
    assertEquals(List.of(0, 3, 1, 5, 4, 2), ReplicaPlacement.rackAlternatedBrokerList(racks));
    Map<Integer, String> five = new TreeMap<>(racks);
    five.remove(5);
    assertEquals(List.of(0, 3, 1, 4, 2), ReplicaPlacement.rackAlternatedBrokerList(five));
    assertEquals(
        Map.of(
            0, List.of(0, 3, 1),
            1, List.of(3, 1, 5),
            2, List.of(1, 5, 4),
            3, List.of(5, 4, 2),
            4, List.of(4, 2, 0),
            5, List.of(2, 0, 3),
            6, List.of(0, 4, 2)),
        ReplicaPlacement.assign(racks, 7, 3, 0, 0, new Random(1)));
  }

  static Stream<Arguments> rackCases() {
    return Stream.of(
        // racks by broker id (index = broker id), partitions, rf
        Arguments.of(List.of("a", "b", "c"), 6, 3),
        Arguments.of(List.of("a", "a", "b", "b", "c", "c"), 12, 3),
        Arguments.of(List.of("a", "a", "b", "b", "c", "c"), 12, 2),
        Arguments.of(List.of("a", "b", "a", "b"), 8, 2),
        Arguments.of(List.of("a", "b", "a", "b"), 8, 3),
        Arguments.of(List.of("x", "y", "z", "x", "y", "z", "x", "y", "z"), 18, 3),
        Arguments.of(List.of("r1", "r2"), 10, 2));
  }

  @ParameterizedTest
  @MethodSource("rackCases")
  void rackAwareSpreadsLeadersReplicasAndRacks(List<String> rackOf, int partitions, int rf) {
    Map<Integer, String> racks = new TreeMap<>();
    for (int b = 0; b < rackOf.size(); b++) {
      racks.put(b, rackOf.get(b));
    }
    int numRacks = new HashSet<>(rackOf).size();
    for (int seed = 0; seed < 10; seed++) {
      SortedMap<Integer, List<Integer>> a =
          ReplicaPlacement.assign(racks, partitions, rf, -1, -1, new Random(seed));
      assertEquals(partitions, a.size());
      Map<Integer, Integer> leaders = new HashMap<>();
      Map<Integer, Integer> replicas = new HashMap<>();
      for (List<Integer> rs : a.values()) {
        assertEquals(rf, rs.size());
        assertEquals(rf, new HashSet<>(rs).size(), "distinct brokers: " + rs);
        Set<String> rsRacks = new HashSet<>();
        rs.forEach(b -> rsRacks.add(racks.get(b)));
        assertEquals(Math.min(rf, numRacks), rsRacks.size(), "distinct racks: " + rs);
        leaders.merge(rs.get(0), 1, Integer::sum);
        rs.forEach(b -> replicas.merge(b, 1, Integer::sum));
      }
      // partitions are a multiple of the broker count: every broker leads as many partitions
      int perBroker = partitions / racks.size();
      for (int b : racks.keySet()) {
        assertEquals(perBroker, leaders.getOrDefault(b, 0), "leaders " + leaders);
      }
      // evenly sized racks: replica counts per broker differ by at most one
      assertTrue(spread(replicas, racks.keySet()) <= 1, "replicas " + replicas);
    }
  }

  private static int spread(Map<Integer, Integer> counts, Set<Integer> brokers) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int b : brokers) {
      min = Math.min(min, counts.getOrDefault(b, 0));
      max = Math.max(max, counts.getOrDefault(b, 0));
    }
    return max - min;
  }

  @Test
  void rackAwareNewPartitionsContinueTheWalk() {
    Map<Integer, String> racks = new TreeMap<>(Map.of(0, "a", 1, "b", 2, "c"));
    SortedMap<Integer, List<Integer>> all =
        ReplicaPlacement.assign(racks, 5, 2, 0, 0, new Random());
    SortedMap<Integer, List<Integer>> added =
        ReplicaPlacement.assign(racks, 3, 2, 0, 2, new Random());
    assertEquals(all.tailMap(2), added);
  }

  @Test
  void mixedRacksAreRefused() {
    Map<Integer, String> racks = new TreeMap<>();
    racks.put(1, "a");
    racks.put(2, null);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReplicaPlacement.assign(racks, 1, 1, -1, -1, new Random()));
    assertEquals(
        "Not all brokers have rack information for replica rack aware assignment.", e.getMessage());
  }
}
