package io.brook.systest;

import io.brook.common.TopicPartition;
import io.brook.systest.FaultScenario.Expect;
import io.brook.systest.harness.ClusterOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proof that the fault suite can fail: the brokers are started with a test-only switch that breaks
 * a guarantee on purpose, a fault exposes it, and the checker must report acknowledged acks=all
 * records as lost ({@link Expect#LOSS_DETECTED}). A checker that stayed silent here would be
 * worthless for every other scenario.
 */
@Tag("system")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NegativeControlsTest {
  static final Duration FAULT_TIMEOUT = Duration.ofSeconds(45);

  /**
   * {@code brook.test.ackBeforeReplication}: acks=all answered after the leader's own append. The
   * leader of an acks=all partition is cut off from the other brokers (it cannot replicate nor
   * shrink its ISR), acknowledges anyway, and is killed; the controller elects a follower from the
   * unchanged ISR, which never had those records.
   */
  @Test
  void ackBeforeReplicationLosesAcknowledgedWrites() throws Exception {
    FaultScenario.named("negative-ack-before-replication")
        .cluster(
            ClusterOptions.defaults().withBrokerJvmOpts("-Dbrook.test.ackBeforeReplication=true"))
        .expect(Expect.LOSS_DETECTED)
        .run(
            c -> {
              int leader = c.leaderNotController();
              TopicPartition other = c.partitionNotLedBy(leader);
              c.cluster.isolateFromBrokers(leader);
              // time passes with the leader acknowledging what nobody replicates; the other
              // leaders' ISR shrinks mark it
              c.awaitOutOfIsr(other, leader, FAULT_TIMEOUT);
              c.cluster.kill9(leader);
              c.cluster.healBrokerNetwork();
              c.awaitLeadsNothing(leader, FAULT_TIMEOUT);
            });
  }

  /**
   * {@code brook.test.electLeaderOutsideIsr}: elections prefer a live replica outside the ISR. A
   * follower is cut off from the other brokers until its leader drops it from the ISR; records
   * acknowledged after that exist only on the leader and the remaining ISR member; the leader is
   * killed and the stale follower elected.
   */
  @Test
  void electionOutsideTheIsrLosesAcknowledgedWrites() throws Exception {
    FaultScenario.named("negative-elect-outside-isr")
        .cluster(
            ClusterOptions.defaults().withBrokerJvmOpts("-Dbrook.test.electLeaderOutsideIsr=true"))
        .expect(Expect.LOSS_DETECTED)
        .run(
            c -> {
              int follower = c.leaderNotController();
              TopicPartition tp = c.partitionNotLedBy(follower);
              int leader = c.cluster.leaderOf(tp);
              c.cluster.isolateFromBrokers(follower);
              c.awaitOutOfIsr(tp, follower, FAULT_TIMEOUT);
              c.awaitAcknowledged(tp, 50, FAULT_TIMEOUT);
              c.cluster.kill9(leader);
              c.cluster.healBrokerNetwork();
              c.awaitNewLeader(tp, leader, FAULT_TIMEOUT);
            });
  }
}
