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
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.UpdateMetadataRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controller candidates; the active one's ZooKeeper session is expired: the other becomes
 * controller with a higher epoch, topic creation still works, and brokers refuse requests that
 * carry the old controller epoch.
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
}
