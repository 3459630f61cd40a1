package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
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
}
