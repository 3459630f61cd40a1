package io.brook.systest.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.brook.client.admin.NewTopic;
import io.brook.common.TopicPartition;
import io.brook.systest.harness.ClusterOptions;
import io.brook.systest.harness.Deadline;
import io.brook.systest.harness.ProcessCluster;
import io.brook.systest.harness.ScenarioDir;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Automatic preferred-leader rebalancing on a real three-broker cluster: after a broker's restart
 * (its leaderships moved away by the controlled shutdown), the controller gives them back on its
 * own ({@code auto.leader.rebalance.enable=true}, checked every two seconds here), with nobody
 * running a tool.
 */
@Tag("system")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AutoLeaderRebalanceTest {
  private static final Logger log = LogManager.getLogger(AutoLeaderRebalanceTest.class);
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @Test
  void leadershipReturnsToPreferredReplicasUnattended() throws Exception {
    ScenarioDir dir = ScenarioDir.create("auto-leader-rebalance");
    boolean passed = false;
    try (ProcessCluster cluster =
        ProcessCluster.start(
            dir.path(),
            ClusterOptions.defaults()
                .withBrokerOverride("auto.leader.rebalance.enable", "true")
                .withBrokerOverride("leader.imbalance.check.interval.seconds", "2")
                .withBrokerOverride("leader.imbalance.per.broker.percentage", "10"))) {
      String topic = "balanced";
      Map<Integer, List<Integer>> assignment =
          IntStream.range(0, 6)
              .boxed()
              .collect(
                  Collectors.toMap(
                      p -> p, p -> List.of(1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3)));
      cluster
          .admin()
          .createTopics(List.of(new NewTopic(topic, assignment)))
          .all()
          .get(30, TimeUnit.SECONDS);
      cluster.awaitHealthy(List.of(topic), CONVERGE);

      cluster.stop(1); // controlled shutdown: partitions 0 and 3 get other leaders
      Deadline.await(
          "broker 1 leads nothing while it is down",
          CONVERGE,
          () -> notPreferred(cluster, topic, assignment).size() >= 2);
      assertFalse(notPreferred(cluster, topic, assignment).isEmpty());
      long restarted = System.nanoTime();
      cluster.start(1);
      Deadline.await(
          "every partition led by its preferred replica again, with no tool run",
          CONVERGE,
          () -> notPreferred(cluster, topic, assignment).isEmpty(),
          () -> "not preferred: " + notPreferred(cluster, topic, assignment));
      log.info(
          "preferred leadership restored {} ms after broker 1's restart began",
          (System.nanoTime() - restarted) / 1_000_000);
      passed = true;
    } finally {
      dir.finish(passed);
    }
  }

  private static List<Integer> notPreferred(
      ProcessCluster cluster, String topic, Map<Integer, List<Integer>> assignment) {
    return assignment.keySet().stream()
        .filter(p -> cluster.leaderOf(new TopicPartition(topic, p)) != assignment.get(p).get(0))
        .sorted()
        .collect(Collectors.toList());
  }
}
