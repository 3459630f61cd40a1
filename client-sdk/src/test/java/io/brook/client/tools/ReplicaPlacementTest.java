package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.tools.ToolArgs.UsageException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Kafka's replica placement for --generate: fixed expectations and balance properties. */
class ReplicaPlacementTest {
  /** A Random whose start index and shift are both {@code value} (Kafka's fixedStartIndex). */
  private static Random fixed(int value) {
    return new Random() {
      @Override
      public int nextInt(int bound) {
        return value % bound;
      }
    };
  }

  private static Map<Integer, String> noRacks(int... ids) {
    Map<Integer, String> m = new TreeMap<>();
    for (int id : ids) {
      m.put(id, "");
    }
    return m;
  }

  @Test
  void rackUnawareMatchesKafkasAssignment() {
    // AdminUtilsTest.testReplicaAssignment: brokers 0..4, 10 partitions, RF 3, start index 0.
    Map<Integer, List<Integer>> expected = new LinkedHashMap<>();
    expected.put(0, List.of(0, 1, 2));
    expected.put(1, List.of(1, 2, 3));
    expected.put(2, List.of(2, 3, 4));
    expected.put(3, List.of(3, 4, 0));
    expected.put(4, List.of(4, 0, 1));
    expected.put(5, List.of(0, 2, 3));
    expected.put(6, List.of(1, 3, 4));
    expected.put(7, List.of(2, 4, 0));
    expected.put(8, List.of(3, 0, 1));
    expected.put(9, List.of(4, 1, 2));
    assertEquals(
        expected, new ReplicaPlacement(fixed(0)).assign(10, 3, noRacks(0, 1, 2, 3, 4), false));
  }

  @Test
  void rackAlternatedListTakesOneBrokerPerRackInTurn() {
    Map<Integer, String> racks = Map.of(1, "a", 2, "a", 3, "a", 4, "b", 5, "b", 6, "c");
    assertEquals(List.of(1, 4, 6, 2, 5, 3), ReplicaPlacement.rackAlternatedBrokerList(racks));
  }

  @Test
  void rackAwarePlacementPutsEachReplicaOnAnotherRackAndBalancesLeaders() {
    Map<Integer, String> racks =
        Map.of(0, "rack1", 1, "rack2", 2, "rack2", 3, "rack3", 4, "rack3", 5, "rack1");
    for (int seed = 0; seed < 20; seed++) {
      Map<Integer, List<Integer>> a =
          new ReplicaPlacement(new Random(seed)).assign(12, 3, racks, true);
      Map<Integer, Integer> leaders = new HashMap<>();
      Map<Integer, Integer> replicas = new HashMap<>();
      a.forEach(
          (p, rs) -> {
            assertEquals(3, rs.size());
            Set<String> used = new HashSet<>();
            rs.forEach(b -> used.add(racks.get(b)));
            assertEquals(3, used.size(), "partition " + p + " " + rs + " spans every rack");
            leaders.merge(rs.get(0), 1, Integer::sum);
            rs.forEach(b -> replicas.merge(b, 1, Integer::sum));
          });
      assertEquals(Set.of(2), new HashSet<>(leaders.values()), "2 leaders per broker: " + leaders);
      assertEquals(Set.of(6), new HashSet<>(replicas.values()), "6 replicas each: " + replicas);
    }
  }

  @Test
  void rackUnawarePlacementIsBalancedForAnySeedAndReproducibleForOne() {
    for (int seed = 0; seed < 20; seed++) {
      Map<Integer, List<Integer>> a =
          new ReplicaPlacement(new Random(seed)).assign(6, 2, noRacks(2, 3, 4), false);
      Map<Integer, Integer> leaders = new HashMap<>();
      a.values().forEach(rs -> leaders.merge(rs.get(0), 1, Integer::sum));
      assertEquals(Map.of(2, 2, 3, 2, 4, 2), leaders);
      a.values().forEach(rs -> assertEquals(2, new HashSet<>(rs).size()));
      assertEquals(a, new ReplicaPlacement(new Random(seed)).assign(6, 2, noRacks(2, 3, 4), false));
    }
  }

  @Test
  void impossiblePlacementsAreRefused() {
    ReplicaPlacement p = new ReplicaPlacement(new Random(1));
    assertEquals(
        "Replication factor: 3 larger than available brokers: 2.",
        assertThrows(UsageException.class, () -> p.assign(1, 3, noRacks(1, 2), false))
            .getMessage());
    Map<Integer, String> partly = new TreeMap<>(Map.of(1, "a", 2, ""));
    assertTrue(
        assertThrows(UsageException.class, () -> p.assign(1, 2, partly, true))
            .getMessage()
            .startsWith("Not all brokers have rack information (broker 2 has none)"));
  }
}
