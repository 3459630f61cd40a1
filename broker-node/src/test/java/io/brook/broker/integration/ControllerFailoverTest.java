package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.FakeController;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.admin.Admin;
import io.brook.client.admin.NewTopic;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.UpdateMetadataRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controller failover. Two controller candidates; the active one's ZooKeeper session is expired:
 * the other becomes controller with a higher epoch, topic creation still works, and brokers refuse
 * requests that carry the old controller epoch.
 */
class ControllerFailoverTest {
  @TempDir Path dir;

  @Test
  void theOtherCandidateTakesOverAndTheOldEpochIsFenced() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 2, Map.of())) {
      BrokerServer first = cluster.waitForController();
      int oldEpoch = first.controller().controllerEpoch();
      BrokerServer other = cluster.broker(first.brokerId() == 1 ? 2 : 1);
      Wait.until(
          "broker " + other.brokerId() + " to accept controller epoch " + oldEpoch,
          () -> other.metadataCache().snapshot().controllerEpoch() == oldEpoch);

      cluster.expireSession(first.brokerId());

      Wait.until(
          "broker " + other.brokerId() + " to become controller with an epoch above " + oldEpoch,
          Duration.ofSeconds(60),
          () -> other.isController() && other.controller().controllerEpoch() > oldEpoch);
      int newEpoch = other.controller().controllerEpoch();
      cluster.waitForBrokers(2);

      Properties ap = new Properties();
      ap.put("bootstrap.servers", cluster.bootstrapServers());
      ap.put("default.api.timeout.ms", "60000");
      try (Admin admin = Admin.create(ap)) {
        admin
            .createTopics(List.of(new NewTopic("after-failover", 2, (short) 1)))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      Wait.until(
          "after-failover known to both brokers",
          () ->
              cluster.brokers().stream()
                  .allMatch(b -> b.metadataCache().topic("after-failover").isPresent()));

      // A request carrying the old controller's epoch is refused by every broker.
      for (BrokerServer b : cluster.brokers()) {
        Wait.until(
            "broker " + b.brokerId() + " to accept controller epoch " + newEpoch,
            () -> b.metadataCache().snapshot().controllerEpoch() >= newEpoch);
        try (FakeController old = new FakeController(b, first.brokerId(), oldEpoch)) {
          assertEquals(
              ErrorCode.STALE_CONTROLLER_EPOCH,
              old.updateMetadata(
                      UpdateMetadataRequest.newBuilder().addDeletedTopics("after-failover").build())
                  .getError());
          assertEquals(
              ErrorCode.STALE_CONTROLLER_EPOCH,
              old.leaderAndIsr(LeaderAndIsrRequest.newBuilder().build()).getError());
        }
        assertTrue(b.metadataCache().topic("after-failover").isPresent());
      }
      assertNotEquals(oldEpoch, newEpoch);
    }
  }

  /**
   * A broker dies and, right after, so does the active controller (abruptly, both), while it is
   * electing new leaders for the dead broker's partitions: the remaining broker becomes controller
   * with a higher epoch and finishes the job. Every partition ends with a live leader, the leader
   * epochs of the partitions the dead brokers led are bumped, and requests carrying the old
   * controller epoch are refused.
   */
  @Test
  void controllerFailsOverMidElection() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      cluster.waitForBrokers(3);
      BrokerServer controller = cluster.waitForController();
      int oldEpoch = controller.controller().controllerEpoch();
      int partitions = 6;
      cluster.createTopic("mid-election", partitions, 3, Map.of());

      Map<Integer, PartitionState> before = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition("mid-election", p);
        before.put(p, cluster.partitionState(tp).orElseThrow());
      }
      int controllerId = controller.brokerId();
      // A broker other than the controller that leads at least one partition.
      int victim =
          before.values().stream()
              .map(PartitionState::getLeader)
              .filter(l -> l != controllerId)
              .findFirst()
              .orElse(controllerId == 1 ? 2 : 1);
      int survivor = 6 - controllerId - victim;

      cluster.kill(victim);
      cluster.kill(controllerId);

      BrokerServer s = cluster.broker(survivor);
      Wait.until(
          "broker " + survivor + " to become controller with an epoch above " + oldEpoch,
          Duration.ofSeconds(60),
          () -> s.isController() && s.controller().controllerEpoch() > oldEpoch);
      int newEpoch = s.controller().controllerEpoch();
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition("mid-election", p);
        PartitionState was = before.get(p);
        PartitionState now =
            cluster.waitForPartition(
                tp,
                "led by the survivor " + survivor + " with ISR [" + survivor + "]",
                ps -> ps.getLeader() == survivor && ps.getIsrList().equals(List.of(survivor)));
        assertEquals(survivor, cluster.leader(tp).brokerId());
        if (was.getLeader() != survivor) {
          assertTrue(
              now.getLeaderEpoch() > was.getLeaderEpoch(),
              tp + ": leader epoch " + was.getLeaderEpoch() + " -> " + now.getLeaderEpoch());
        } else {
          assertTrue(now.getLeaderEpoch() >= was.getLeaderEpoch());
        }
      }
      Wait.until(
          "broker " + survivor + " to accept controller epoch " + newEpoch,
          () -> s.metadataCache().snapshot().controllerEpoch() >= newEpoch);
      try (FakeController old = new FakeController(s, controllerId, oldEpoch)) {
        assertEquals(
            ErrorCode.STALE_CONTROLLER_EPOCH,
            old.leaderAndIsr(LeaderAndIsrRequest.newBuilder().build()).getError());
        assertEquals(
            ErrorCode.STALE_CONTROLLER_EPOCH,
            old.updateMetadata(
                    UpdateMetadataRequest.newBuilder().addDeletedTopics("mid-election").build())
                .getError());
      }
      assertTrue(s.metadataCache().topic("mid-election").isPresent());
      assertTrue(s.isController());
    }
  }
}
