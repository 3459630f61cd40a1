package io.brook.controller.election;

import io.brook.common.TopicPartition;
import io.brook.metadata.LeaderAndIsr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The automatic preferred-leader rebalance's decision (Kafka's {@code
 * checkAndTriggerAutoLeaderRebalance}), as pure functions. Stateless.
 *
 * <p>For each broker that is the preferred replica (first of the assignment) of some partitions:
 * imbalance ratio = those partitions led by another broker (or by none) / all of them. A broker
 * whose ratio is above {@code leader.imbalance.per.broker.percentage} / 100 gets a preferred
 * election for those of its partitions that may move: not being deleted or reassigned, and whose
 * preferred replica is eligible (live, not shutting down) and in the ISR.
 */
public final class PreferredLeaderBalancer {
  private PreferredLeaderBalancer() {}

  /**
   * One preferred broker's leadership.
   *
   * @param broker the preferred replica
   * @param preferred how many partitions it is the preferred replica of
   * @param notLed those of them led by another broker or offline, sorted
   */
  public record Imbalance(int broker, int preferred, List<TopicPartition> notLed) {
    public double ratio() {
      return preferred == 0 ? 0.0 : (double) notLed.size() / preferred;
    }
  }

  /** What one check decided for a broker above the threshold. */
  public record Rebalance(Imbalance imbalance, List<TopicPartition> toElect) {}

  /**
   * Per preferred broker, its leadership (brokers in id order).
   *
   * @param replicas the assignment of every partition taken into account (callers leave out topics
   *     being deleted)
   * @param states the partitions' current states (a partition without one is counted as not led)
   */
  public static List<Imbalance> imbalances(
      Map<TopicPartition, List<Integer>> replicas, Map<TopicPartition, LeaderAndIsr> states) {
    Map<Integer, List<TopicPartition>> byPreferred = new TreeMap<>();
    Map<Integer, List<TopicPartition>> notLed = new TreeMap<>();
    for (var e : replicas.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      int preferred = e.getValue().get(0);
      byPreferred.computeIfAbsent(preferred, b -> new ArrayList<>()).add(e.getKey());
      LeaderAndIsr s = states.get(e.getKey());
      if (s == null || s.leader() != preferred) {
        notLed.computeIfAbsent(preferred, b -> new ArrayList<>()).add(e.getKey());
      }
    }
    List<Imbalance> out = new ArrayList<>();
    byPreferred.forEach(
        (b, parts) -> {
          List<TopicPartition> n = new ArrayList<>(notLed.getOrDefault(b, List.of()));
          Collections.sort(n);
          out.add(new Imbalance(b, parts.size(), List.copyOf(n)));
        });
    return out;
  }

  /**
   * The rebalances to make: for each broker whose imbalance ratio is above {@code percentage}/100,
   * the partitions to give back to it (possibly none, e.g. when the broker is down).
   *
   * @param eligible brokers that may lead: live and not shutting down
   * @param mayMove false for partitions that must not move now (being reassigned or deleted)
   */
  public static List<Rebalance> rebalances(
      Map<TopicPartition, List<Integer>> replicas,
      Map<TopicPartition, LeaderAndIsr> states,
      Set<Integer> eligible,
      int percentage,
      Predicate<TopicPartition> mayMove) {
    double threshold = percentage / 100.0;
    List<Rebalance> out = new ArrayList<>();
    for (Imbalance i : imbalances(replicas, states)) {
      if (i.ratio() <= threshold) {
        continue;
      }
      List<TopicPartition> toElect = new ArrayList<>();
      for (TopicPartition tp : i.notLed()) {
        LeaderAndIsr s = states.get(tp);
        if (s != null
            && mayMove.test(tp)
            && eligible.contains(i.broker())
            && s.isr().contains(i.broker())) {
          toElect.add(tp);
        }
      }
      out.add(new Rebalance(i, List.copyOf(toElect)));
    }
    return out;
  }
}
