package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.common.TopicPartition;
import io.brook.metadata.LeaderAndIsr;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PreferredLeaderBalancerTest {
  private final Map<TopicPartition, List<Integer>> replicas = new TreeMap<>();
  private final Map<TopicPartition, LeaderAndIsr> states = new TreeMap<>();

  private TopicPartition part(int p, List<Integer> assignment, int leader, List<Integer> isr) {
    TopicPartition tp = new TopicPartition("t", p);
    replicas.put(tp, assignment);
    states.put(tp, new LeaderAndIsr(leader, 1, isr, 1, 1));
    return tp;
  }

  @Test
  void ratioIsPartitionsLedByOthersOverPartitionsPreferred() {
    TopicPartition p0 = part(0, List.of(1, 2), 2, List.of(1, 2));
    part(1, List.of(1, 2), 1, List.of(1, 2));
    TopicPartition p2 = part(2, List.of(1, 3), -1, List.of(1)); // offline counts as not led
    part(3, List.of(1, 3), 1, List.of(1, 3));
    part(4, List.of(2, 1), 2, List.of(2, 1));

    List<PreferredLeaderBalancer.Imbalance> all =
        PreferredLeaderBalancer.imbalances(replicas, states);
    assertEquals(2, all.size());
    assertEquals(new PreferredLeaderBalancer.Imbalance(1, 4, List.of(p0, p2)), all.get(0));
    assertEquals(0.5, all.get(0).ratio());
    assertEquals(new PreferredLeaderBalancer.Imbalance(2, 1, List.of()), all.get(1));
    assertEquals(0.0, all.get(1).ratio());
  }

  @Test
  void aRatioAtTheThresholdIsNotRebalancedAboveItIs() {
    // Broker 1 prefers 10 partitions and leads 9: ratio 0.10.
    for (int p = 0; p < 10; p++) {
      part(p, List.of(1, 2), p == 0 ? 2 : 1, List.of(1, 2));
    }
    assertEquals(
        List.of(),
        PreferredLeaderBalancer.rebalances(replicas, states, Set.of(1, 2), 10, tp -> true));
    var above = PreferredLeaderBalancer.rebalances(replicas, states, Set.of(1, 2), 9, tp -> true);
    assertEquals(1, above.size());
    assertEquals(List.of(new TopicPartition("t", 0)), above.get(0).toElect());
  }

  @Test
  void onlyPartitionsWhosePreferredReplicaIsEligibleInIsrAndMovableAreElected() {
    TopicPartition ok = part(0, List.of(1, 2), 2, List.of(2, 1));
    part(1, List.of(1, 2), 2, List.of(2)); // preferred not in ISR
    TopicPartition frozen = part(2, List.of(1, 2), 2, List.of(2, 1)); // e.g. being reassigned
    part(3, List.of(3, 2), 2, List.of(2, 3)); // broker 3 not eligible (down or shutting down)

    var r =
        PreferredLeaderBalancer.rebalances(
            replicas, states, Set.of(1, 2), 10, tp -> !tp.equals(frozen));
    assertEquals(2, r.size());
    assertEquals(1, r.get(0).imbalance().broker());
    assertEquals(List.of(ok), r.get(0).toElect());
    assertEquals(3, r.get(1).imbalance().broker());
    assertEquals(List.of(), r.get(1).toElect(), "imbalanced, but nothing can move to broker 3");
  }

  @Test
  void zeroPercentRebalancesAnyPartitionNotLedByItsPreferredReplica() {
    for (int p = 0; p < 100; p++) {
      part(p, List.of(1, 2), p == 0 ? 2 : 1, List.of(1, 2));
    }
    var r = PreferredLeaderBalancer.rebalances(replicas, states, Set.of(1, 2), 0, tp -> true);
    assertEquals(List.of(new TopicPartition("t", 0)), r.get(0).toElect());
    assertEquals(
        List.of(),
        PreferredLeaderBalancer.rebalances(replicas, states, Set.of(1, 2), 100, tp -> true));
  }
}
