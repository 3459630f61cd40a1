package io.brook.systest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.TopicPartition;
import io.brook.systest.check.AckMode;
import io.brook.systest.harness.ClusterOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durability under faults: each test is one {@link FaultScenario} on a fresh three-broker cluster
 * of separate JVMs with the three-topic workload running throughout, and the checker's verdict at
 * the end (every count zero for acks=all; losses reported only for acks=1 and acks=0).
 *
 * <p>The fault's durations are conditions, not sleeps: a fault lasts until its effect is seen in
 * ZooKeeper (a new leader, a new controller, a shrunk ISR) or in the clients' progress, within
 * {@link #FAULT_TIMEOUT}. Brokers run with {@code zookeeper.session.timeout.ms=6000} and {@code
 * replica.lag.time.max.ms=4000} (see {@code ProcessCluster}) so effects come within seconds.
 */
@Tag("system")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FaultScenariosTest {
  static final Duration FAULT_TIMEOUT = Duration.ofSeconds(45);

  /** kill -9 of the leader of one acks=all partition, five times, chasing the new leader. */
  @Test
  void leaderKilledFiveTimes() throws Exception {
    FaultScenario.named("kill9-leader")
        .run(
            c -> {
              TopicPartition tp = c.acksAll(0);
              for (int round = 1; round <= 5; round++) {
                int leader = c.cluster.leaderOf(tp);
                c.cluster.kill9(leader);
                c.awaitNewLeader(tp, leader, FAULT_TIMEOUT);
                c.awaitProgress(FAULT_TIMEOUT);
                c.cluster.start(leader);
                c.awaitHealthy(FAULT_TIMEOUT);
              }
            });
  }

  /** kill -9 of the active controller, twice (the second time, of its successor). */
  @Test
  void controllerKilled() throws Exception {
    FaultScenario.named("kill9-controller")
        .run(
            c -> {
              for (int round = 1; round <= 2; round++) {
                int controller = c.cluster.controllerId();
                c.cluster.kill9(controller);
                c.awaitNewController(controller, FAULT_TIMEOUT);
                c.awaitLeadsNothing(controller, FAULT_TIMEOUT);
                c.awaitProgress(FAULT_TIMEOUT);
                c.cluster.start(controller);
                c.awaitHealthy(FAULT_TIMEOUT);
              }
            });
  }

  /** A clean rolling restart: SIGTERM (controlled shutdown) of each broker in turn. */
  @Test
  void rollingRestart() throws Exception {
    FaultScenario.named("rolling-restart")
        .run(
            c -> {
              for (int id : c.cluster.brokerIds()) {
                c.cluster.stop(id);
                c.awaitLeadsNothing(id, FAULT_TIMEOUT);
                c.cluster.start(id);
                c.awaitHealthy(FAULT_TIMEOUT);
              }
            });
  }

  /**
   * SIGSTOP of a leader (not the controller) for longer than its ZooKeeper session: its partitions
   * move and the clients go on without it; after SIGCONT the zombie must be fenced. Twice, on two
   * different brokers.
   */
  @Test
  void leaderPaused() throws Exception {
    FaultScenario.named("sigstop-leader")
        .run(
            c -> {
              int previous = -1;
              for (int round = 1; round <= 2; round++) {
                int leader = c.leaderNotController(previous);
                c.cluster.pause(leader);
                c.awaitLeadsNothing(leader, FAULT_TIMEOUT);
                c.awaitProgress(FAULT_TIMEOUT);
                c.cluster.resume(leader);
                c.awaitHealthy(FAULT_TIMEOUT);
                previous = leader;
              }
            });
  }

  /**
   * SIGSTOP of the controller for longer than its ZooKeeper session, then SIGCONT; twice (the
   * second time, its successor).
   */
  @Test
  void controllerPaused() throws Exception {
    FaultScenario.named("sigstop-controller")
        .run(
            c -> {
              for (int round = 1; round <= 2; round++) {
                int controller = c.cluster.controllerId();
                c.cluster.pause(controller);
                c.awaitNewController(controller, FAULT_TIMEOUT);
                c.awaitLeadsNothing(controller, FAULT_TIMEOUT);
                c.awaitProgress(FAULT_TIMEOUT);
                c.cluster.resume(controller);
                c.awaitHealthy(FAULT_TIMEOUT);
              }
            });
  }

  /**
   * ZooKeeper down for about two session timeouts (measured by the workload's progress: the brokers
   * keep serving and replicating without it) and started again on the same data; first stopped
   * cleanly (SIGTERM), then killed (SIGKILL).
   */
  @Test
  void zooKeeperRestarted() throws Exception {
    FaultScenario.named("zookeeper-restart")
        .run(
            c -> {
              for (int round = 1; round <= 2; round++) {
                if (round == 1) {
                  c.cluster.stopZooKeeper();
                } else {
                  c.cluster.kill9ZooKeeper();
                }
                // ~12 s at 200 records/s per topic: longer than the 6 s session timeout
                c.workload.awaitProgress(2400, Duration.ofSeconds(60));
                c.cluster.startZooKeeper();
                c.awaitHealthy(FAULT_TIMEOUT);
                c.awaitProgress(FAULT_TIMEOUT);
              }
            });
  }

  /**
   * One broker cut off from ZooKeeper only: its session expires, the controller moves its
   * partitions, and the zombie, still reachable by clients and brokers, must not acknowledge
   * anything it cannot replicate. First a leader that is not the controller, then the controller
   * itself (which must also lose the controllership).
   */
  @Test
  void brokerCutOffFromZooKeeper() throws Exception {
    FaultScenario.named("zookeeper-partition")
        .run(
            c -> {
              int leader = c.leaderNotController();
              c.cluster.isolateFromZooKeeper(leader);
              c.awaitLeadsNothing(leader, FAULT_TIMEOUT);
              c.awaitProgress(FAULT_TIMEOUT);
              c.cluster.healZooKeeperNetwork(leader);
              c.awaitHealthy(FAULT_TIMEOUT);

              int controller = c.cluster.controllerId();
              c.cluster.isolateFromZooKeeper(controller);
              c.awaitNewController(controller, FAULT_TIMEOUT);
              c.awaitLeadsNothing(controller, FAULT_TIMEOUT);
              c.awaitProgress(FAULT_TIMEOUT);
              c.cluster.healZooKeeperNetwork(controller);
            });
  }

  /**
   * A follower (not the controller) cut off from the other brokers (clients and ZooKeeper still
   * reach it): the leaders drop it from their ISRs.
   */
  @Test
  void followerCutOffFromBrokers() throws Exception {
    FaultScenario.named("follower-partition")
        .run(
            c -> {
              int previous = -1;
              for (int round = 1; round <= 2; round++) {
                int follower = c.leaderNotController(previous);
                TopicPartition followed = c.partitionNotLedBy(follower);
                c.cluster.isolateFromBrokers(follower);
                c.awaitOutOfIsr(followed, follower, FAULT_TIMEOUT);
                c.cluster.healBrokerNetwork();
                c.awaitHealthy(FAULT_TIMEOUT);
                previous = follower;
              }
            });
  }

  /**
   * A leader (not the controller) cut off from the other brokers: it cannot replicate nor reach the
   * controller, so nothing sent to its acks=all partitions may be acknowledged until it heals.
   */
  @Test
  void leaderCutOffFromBrokers() throws Exception {
    FaultScenario.named("leader-partition")
        .run(
            c -> {
              int previous = -1;
              for (int round = 1; round <= 2; round++) {
                int leader = c.leaderNotController(previous);
                TopicPartition other = c.partitionNotLedBy(leader);
                c.cluster.isolateFromBrokers(leader);
                // the other leaders drop it from their ISRs while its own partitions stall
                c.awaitOutOfIsr(other, leader, FAULT_TIMEOUT);
                c.cluster.healBrokerNetwork();
                c.awaitHealthy(FAULT_TIMEOUT);
                previous = leader;
              }
            });
  }

  /**
   * A follower killed, its segments corrupted while it is down (a bit flipped in the last segment
   * of one partition, the last segment of another truncated mid-batch), then restarted: recovery
   * must cut its logs at the damage and it must catch up from the leaders.
   */
  @Test
  void corruptedSegmentsOnStoppedFollower() throws Exception {
    FaultScenario.named("corrupt-segment")
        // one segment per partition: all of it is after the recovery point of a killed broker
        .cluster(ClusterOptions.defaults().withBrokerOverride("log.segment.bytes", "16777216"))
        .run(
            c -> {
              // enough records in every replica that the middle of each segment is a batch
              c.workload.awaitProgress(300, FAULT_TIMEOUT);
              int follower = c.leaderNotController();
              c.cluster.kill9(follower);
              c.awaitLeadsNothing(follower, FAULT_TIMEOUT);
              SegmentCorruption.flipBitInLastSegment(c.cluster.logDir(follower), c.acksAll(0));
              SegmentCorruption.truncateLastSegment(c.cluster.logDir(follower), c.acksAll(1));
              SegmentCorruption.flipBitInLastSegment(
                  c.cluster.logDir(follower), c.partition(AckMode.ONE, 2));
              c.awaitProgress(FAULT_TIMEOUT);
              c.cluster.start(follower);
              // recovery found each damage (the checker then proves the follower caught up)
              String out = Files.readString(c.cluster.outputFile(follower));
              for (TopicPartition tp :
                  List.of(c.acksAll(0), c.acksAll(1), c.partition(AckMode.ONE, 2))) {
                assertTrue(
                    out.contains(tp + ": truncated "),
                    "broker " + follower + " did not report truncating damaged " + tp);
              }
            });
  }
}
