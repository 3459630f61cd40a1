package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.replica.FollowerFetching;
import io.brook.broker.replica.Partition;
import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.PartitionState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replication on three real brokers (real ZooKeeper, real gRPC streams between brokers): follower
 * logs equal the leader's, acks=all records survive the leader's death, a restarted replica catches
 * up and rejoins the ISR, min.insync.replicas refuses writes, consumers never read above the high
 * watermark.
 */
class ReplicationTest {
  static final Duration LONG = Duration.ofSeconds(90);

  @TempDir Path dir;
  TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    start(Map.of());
  }

  void start(Map<String, String> extra) throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    Map<String, String> props = new HashMap<>();
    props.put("controlled.shutdown.enable", "false");
    props.put("replica.fetch.backoff.ms", "200");
    props.put("replica.high.watermark.checkpoint.interval.ms", "1000");
    props.putAll(extra);
    cluster = TestCluster.start(dir.resolve("c" + System.nanoTime()), 3, props);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Optional<Partition> replica(BrokerServer b, TopicPartition tp) {
    return b.isRunning() ? b.replicaManager().partition(tp) : Optional.empty();
  }

  /** The bytes of the log of {@code tp} on {@code b} below {@code end}. */
  static byte[] logBytes(BrokerServer b, TopicPartition tp, long end) {
    Log log = b.replicaManager().partition(tp).orElseThrow().log();
    if (end <= log.logStartOffset()) {
      return new byte[0];
    }
    ByteBuffer buf = log.read(log.logStartOffset(), Integer.MAX_VALUE, end, true).records();
    byte[] out = new byte[buf.remaining()];
    buf.get(out);
    return out;
  }

  /** Waits until every running replica of {@code tp} has the leader's log end offset and HW. */
  void waitForReplicasInSync(TopicPartition tp, int replicas) {
    BrokerServer leader = cluster.leader(tp);
    Wait.until(
        "every replica of " + tp + " at the leader's log end offset and high watermark",
        LONG,
        () -> {
          Partition lp = leader.replicaManager().partition(tp).orElseThrow();
          long leo = lp.log().logEndOffset();
          int n = 0;
          for (BrokerServer b : cluster.brokers()) {
            Optional<Partition> p = replica(b, tp);
            if (p.isPresent()) {
              if (p.get().log().logEndOffset() != leo || p.get().highWatermark() != leo) {
                return false;
              }
              n++;
            }
          }
          return n == replicas && lp.highWatermark() == leo;
        });
  }

  void assertLogsEqual(TopicPartition tp) {
    BrokerServer leader = cluster.leader(tp);
    long leo = leader.replicaManager().partition(tp).orElseThrow().log().logEndOffset();
    byte[] expected = logBytes(leader, tp, leo);
    for (BrokerServer b : cluster.brokers()) {
      if (b != leader && replica(b, tp).isPresent()) {
        assertArrayEquals(
            expected, logBytes(b, tp, leo), "log of " + tp + " on broker " + b.brokerId());
      }
    }
  }

  static List<PartitionProduceResponse> produce(
      BrokerServer leader, TopicPartition tp, int acks, int batches) throws Exception {
    List<PartitionProduceResponse> out = new ArrayList<>();
    try (BrokerClient c = new BrokerClient(leader.boundPort())) {
      for (int i = 0; i < batches; i++) {
        out.add(c.produceOne(acks, tp.topic(), tp.partition(), Batches.of(5, 1000 + i)));
      }
    }
    return out;
  }

  @Test
  void followerLogsEqualTheLeadersAndAcksAllWaitsForTheIsr() throws Exception {
    cluster.createTopic("rep", 2, 3, Map.of());
    for (int p = 0; p < 2; p++) {
      TopicPartition tp = new TopicPartition("rep", p);
      BrokerServer leader = cluster.leader(tp);
      long expectedOffset = 0;
      for (PartitionProduceResponse r : produce(leader, tp, -1, 20)) {
        assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
        assertEquals(expectedOffset, r.getBaseOffset());
        expectedOffset += 5;
        // acks=all answered: the high watermark passed the batch, so every ISR member has it.
        for (BrokerServer b : cluster.brokers()) {
          assertTrue(replica(b, tp).orElseThrow().log().logEndOffset() >= expectedOffset);
        }
      }
      waitForReplicasInSync(tp, 3);
      assertLogsEqual(tp);
      assertEquals(3, cluster.partitionState(tp).orElseThrow().getIsrCount());
    }
  }

  @Test
  void acksAllRecordsSurviveKillingTheLeader() throws Exception {
    TopicPartition tp = new TopicPartition("failover", 0);
    cluster.createTopic("failover", 1, 3, Map.of("min.insync.replicas", "2"));
    BrokerServer old = cluster.leader(tp);
    List<Integer> isrBefore = cluster.partitionState(tp).orElseThrow().getIsrList();
    long acked = 0;
    for (PartitionProduceResponse r : produce(old, tp, -1, 30)) {
      assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
      assertEquals(acked, r.getBaseOffset());
      acked += 5;
    }
    byte[] ackedBytes = logBytes(old, tp, acked);

    int oldId = old.brokerId();
    cluster.kill(oldId);
    PartitionState s =
        cluster.waitForPartition(
            tp,
            "a new leader",
            ps ->
                ps.getLeader() > 0 && ps.getLeader() != oldId && !ps.getIsrList().contains(oldId));
    assertTrue(isrBefore.contains(s.getLeader()), "new leader " + s + " from the ISR " + isrBefore);
    BrokerServer leader = cluster.leader(tp);
    assertNotEquals(oldId, leader.brokerId());
    Partition lp = leader.replicaManager().partition(tp).orElseThrow();
    assertTrue(lp.log().logEndOffset() >= acked);
    assertArrayEquals(ackedBytes, logBytes(leader, tp, acked), "acknowledged records kept");

    // The survivors (ISR of two = min.insync.replicas) accept acks=all writes after the acked ones.
    PartitionProduceResponse more =
        Wait.forValue(
            "an acks=all write to the new leader",
            LONG,
            () -> {
              try {
                return produce(leader, tp, -1, 1).get(0);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            },
            r -> r.getError() == ErrorCode.NONE);
    assertTrue(more.getBaseOffset() >= acked);
    try (BrokerClient c = new BrokerClient(leader.boundPort())) {
      FetchPartitionResponse f = c.fetch(tp.topic(), tp.partition(), 0);
      assertEquals(ErrorCode.NONE, f.getError());
      assertTrue(f.getHighWatermark() >= acked + 5);
    }
  }

  @Test
  void restartedReplicaCatchesUpAndRejoinsTheIsr() throws Exception {
    TopicPartition tp = new TopicPartition("restart", 0);
    cluster.createTopic("restart", 1, 3, Map.of());
    BrokerServer leader = cluster.leader(tp);
    produce(leader, tp, -1, 10).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    int follower =
        cluster.brokers().stream()
            .filter(b -> b != leader && !b.isController())
            .findFirst()
            .orElseThrow()
            .brokerId();
    cluster.stop(follower);
    cluster.waitForPartition(
        tp, "broker " + follower + " out of the ISR", ps -> ps.getIsrCount() == 2);
    BrokerServer leaderNow = cluster.leader(tp);
    produce(leaderNow, tp, -1, 10)
        .forEach(r -> assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage()));

    cluster.restart(follower);
    cluster.waitForPartition(
        tp, "broker " + follower + " back in the ISR", ps -> ps.getIsrList().contains(follower));
    waitForReplicasInSync(tp, 3);
    assertLogsEqual(tp);
    assertEquals(
        100, cluster.leader(tp).replicaManager().partition(tp).orElseThrow().highWatermark());
  }

  @Test
  void minInsyncReplicasRefusesAcksAllWithNothingAppended() throws Exception {
    TopicPartition tp = new TopicPartition("minisr", 0);
    cluster.createTopic("minisr", 1, 3, Map.of("min.insync.replicas", "2"));
    BrokerServer leader = cluster.leader(tp);
    produce(leader, tp, -1, 2).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    int leaderId = leader.brokerId();
    for (BrokerServer b : List.copyOf(cluster.brokers())) {
      if (b.brokerId() != leaderId) {
        cluster.stop(b.brokerId());
      }
    }
    Wait.until(
        "the ISR of " + tp + " shrunk to the leader",
        LONG,
        () ->
            leader
                .replicaManager()
                .partition(tp)
                .orElseThrow()
                .state()
                .isr()
                .equals(List.of(leaderId)));
    Partition p = leader.replicaManager().partition(tp).orElseThrow();
    long leo = p.log().logEndOffset();
    PartitionProduceResponse r = produce(leader, tp, -1, 1).get(0);
    assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, r.getError(), r.getErrorMessage());
    assertEquals(leo, p.log().logEndOffset(), "nothing appended");
  }

  @Test
  void consumersNeverReadAboveTheHighWatermark() throws Exception {
    TopicPartition tp = new TopicPartition("hw", 0);
    cluster.createTopic("hw", 1, 3, Map.of());
    BrokerServer leader = cluster.leader(tp);
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> errors = new ArrayList<>();
    Thread producer =
        new Thread(
            () -> {
              try (BrokerClient c = new BrokerClient(leader.boundPort())) {
                for (int i = 0; i < 200 && !done.get(); i++) {
                  c.produceOne(1, tp.topic(), tp.partition(), Batches.of(3, i));
                }
              } catch (Throwable t) {
                errors.add(t);
              } finally {
                done.set(true);
              }
            });
    producer.start();
    long next = 0;
    int checks = 0;
    long deadline = System.nanoTime() + LONG.toNanos();
    try (BrokerClient c = new BrokerClient(leader.boundPort())) {
      while (!done.get() || next < 600) {
        FetchPartitionResponse f = c.fetch(tp.topic(), tp.partition(), next);
        assertEquals(ErrorCode.NONE, f.getError(), f.getErrorMessage());
        ByteBuffer b = f.getRecords().asReadOnlyByteBuffer();
        while (b.remaining() > 0) {
          long base = b.getLong(b.position());
          int length = b.getInt(b.position() + 8);
          int lastDelta = b.getInt(b.position() + 23);
          long last = base + lastDelta;
          assertTrue(
              last < f.getHighWatermark(), "offset " + last + " >= HW " + f.getHighWatermark());
          // Below HW means on every ISR member.
          for (BrokerServer other : cluster.brokers()) {
            assertTrue(replica(other, tp).orElseThrow().log().logEndOffset() > last);
          }
          next = last + 1;
          b.position(b.position() + length + 12);
          checks++;
        }
        if (done.get() && next >= 600) {
          break;
        }
        if (done.get() && !errors.isEmpty()) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "timed out at offset " + next);
      }
    }
    producer.join();
    assertEquals(List.of(), errors);
    assertEquals(600, next);
    assertTrue(checks > 0);
  }

  @Test
  void oldLeaderWithUnreplicatedRecordsTruncatesToTheNewLeadersLog() throws Exception {
    TopicPartition tp = new TopicPartition("div", 0);
    cluster.createTopic("div", 1, 3, Map.of("unclean.leader.election.enable", "true"));
    BrokerServer old = cluster.leader(tp);
    int oldId = old.brokerId();
    produce(old, tp, -1, 5).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    waitForReplicasInSync(tp, 3);

    // The followers go away; the old leader alone takes more records (acks=1).
    List<Integer> others = new ArrayList<>();
    for (BrokerServer b : List.copyOf(cluster.brokers())) {
      if (b.brokerId() != oldId) {
        others.add(b.brokerId());
        cluster.stop(b.brokerId());
      }
    }
    Wait.until(
        "the ISR of " + tp + " shrunk to the old leader",
        LONG,
        () ->
            old.replicaManager().partition(tp).orElseThrow().state().isr().equals(List.of(oldId)));
    produce(old, tp, 1, 3).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    assertEquals(40, old.replicaManager().partition(tp).orElseThrow().log().logEndOffset());

    // It dies; the others come back and one of them is elected (uncleanly), writes other records.
    cluster.kill(oldId);
    for (int id : others) {
      cluster.restart(id);
    }
    PartitionState s =
        cluster.waitForPartition(
            tp, "a new leader among " + others, ps -> others.contains(ps.getLeader()));
    BrokerServer leader = cluster.leader(tp);
    assertEquals(s.getLeader(), leader.brokerId());
    List<PartitionProduceResponse> more =
        Wait.forValue(
            "acks=1 writes to the new leader",
            LONG,
            () -> {
              try {
                return produce(leader, tp, 1, 2);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            },
            rs -> rs.stream().allMatch(r -> r.getError() == ErrorCode.NONE));
    assertEquals(25, more.get(0).getBaseOffset(), "the new leader's log ended at 25");

    // The old leader returns as a follower: it truncates its 15 unreplicated records and follows.
    cluster.restart(oldId);
    cluster.waitForPartition(
        tp, "broker " + oldId + " back in the ISR", ps -> ps.getIsrList().contains(oldId));
    waitForReplicasInSync(tp, 3);
    assertLogsEqual(tp);
    assertEquals(
        35,
        cluster.broker(oldId).replicaManager().partition(tp).orElseThrow().log().logEndOffset());
  }

  @Test
  void stalledFollowerLeavesTheIsrAndRejoinsWhenCaughtUp() throws Exception {
    start(Map.of("replica.lag.time.max.ms", "2000"));
    TopicPartition tp = new TopicPartition("stall", 0);
    cluster.createTopic("stall", 1, 3, Map.of());
    BrokerServer leader = cluster.leader(tp);
    produce(leader, tp, -1, 5).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    BrokerServer follower =
        cluster.brokers().stream().filter(b -> b != leader).findFirst().orElseThrow();
    int f = follower.brokerId();

    follower.replicaManager().followerFetching().stopFetching(List.of(tp));
    produce(leader, tp, 1, 3).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    PartitionState shrunk =
        cluster.waitForPartition(
            tp, "broker " + f + " dropped from the ISR", ps -> !ps.getIsrList().contains(f));
    assertEquals(2, shrunk.getIsrCount());
    assertEquals(leader.brokerId(), shrunk.getLeader(), "same leader, same epoch");
    // acks=all is answered by the remaining ISR.
    produce(leader, tp, -1, 2)
        .forEach(r -> assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage()));

    Partition p = follower.replicaManager().partition(tp).orElseThrow();
    follower
        .replicaManager()
        .followerFetching()
        .startFetching(
            Map.of(
                p,
                new FollowerFetching.FetchStart(
                    leader.brokerId(),
                    follower.metadataCache().broker(leader.brokerId()).orElseThrow(),
                    p.leaderEpoch())));
    cluster.waitForPartition(
        tp, "broker " + f + " back in the ISR", ps -> ps.getIsrList().contains(f));
    waitForReplicasInSync(tp, 3);
    assertLogsEqual(tp);
  }

  /**
   * Produces acks=all batches to whichever broker leads {@code tp}, retrying through failover;
   * records the acknowledged base offset of every batch (batch i has first timestamp i * 10).
   */
  final class AcksAllLoad implements AutoCloseable {
    final TopicPartition tp;
    final Map<Long, Long> acked = new ConcurrentHashMap<>(); // base offset -> first timestamp
    final AtomicInteger errors = new AtomicInteger();
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Throwable> failures = new ArrayList<>();
    final Thread thread;

    AcksAllLoad(TopicPartition tp) {
      this.tp = tp;
      this.thread = new Thread(this::run, "acks-all-load");
      thread.start();
    }

    private void run() {
      Map<Integer, BrokerClient> clients = new HashMap<>();
      // Current timestamps: records from 1970 would be deleted by time retention mid-test.
      long t0 = System.currentTimeMillis();
      long i = 0;
      try {
        while (!stop.get()) {
          Optional<PartitionState> s = Optional.empty();
          try {
            s = cluster.partitionState(tp);
          } catch (RuntimeException e) {
            // no broker running for a moment
          }
          BrokerServer l =
              s.isPresent() && s.get().getLeader() > 0 ? cluster.broker(s.get().getLeader()) : null;
          if (l == null || !l.isRunning()) {
            LockSupport.parkNanos(10_000_000); // retry backoff
            continue;
          }
          try {
            BrokerClient c = clients.computeIfAbsent(l.boundPort(), BrokerClient::new);
            PartitionProduceResponse r =
                c.produceOne(-1, tp.topic(), tp.partition(), Batches.of(2, t0 + i * 10));
            if (r.getError() == ErrorCode.NONE) {
              acked.put(r.getBaseOffset(), t0 + i * 10);
              i++;
            } else {
              errors.incrementAndGet();
              LockSupport.parkNanos(10_000_000);
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
            LockSupport.parkNanos(10_000_000);
          }
        }
      } catch (Throwable t) {
        failures.add(t);
      } finally {
        clients.values().forEach(BrokerClient::close);
      }
    }

    void waitForAcks(int n) {
      Wait.until(n + " acknowledged acks=all batches", LONG, () -> acked.size() >= n);
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  @ParameterizedTest(name = "abrupt={0}")
  @ValueSource(booleans = {false, true})
  void everyAcknowledgedRecordSurvivesLeaderFailoverUnderLoad(boolean abrupt) throws Exception {
    TopicPartition tp = new TopicPartition("load", 0);
    cluster.createTopic("load", 1, 3, Map.of("min.insync.replicas", "2"));
    BrokerServer old = cluster.leader(tp);
    int oldId = old.brokerId();
    AcksAllLoad load = new AcksAllLoad(tp);
    try {
      load.waitForAcks(30);
      if (abrupt) {
        cluster.kill(oldId);
      } else {
        cluster.stop(oldId);
      }
      cluster.waitForPartition(
          tp, "a new leader", ps -> ps.getLeader() > 0 && ps.getLeader() != oldId);
      int before = load.acked.size();
      load.waitForAcks(before + 30);
    } finally {
      load.close();
    }
    assertEquals(List.of(), load.failures);

    BrokerServer leader = cluster.leader(tp);
    Log log = leader.replicaManager().partition(tp).orElseThrow().log();
    for (Map.Entry<Long, Long> e : load.acked.entrySet()) {
      ByteBuffer b = log.read(e.getKey(), 1, Long.MAX_VALUE, true).records();
      assertEquals(e.getKey(), b.getLong(0), "a batch starts at acknowledged offset " + e.getKey());
      assertEquals(e.getValue(), b.getLong(27), "the acknowledged batch at " + e.getKey());
    }
    // The old leader comes back, truncates what it had beyond the new leader, and catches up.
    cluster.restart(oldId);
    cluster.waitForPartition(
        tp, "broker " + oldId + " back in the ISR", ps -> ps.getIsrList().contains(oldId));
    waitForReplicasInSync(tp, 3);
    assertLogsEqual(tp);
  }

  @Test
  void leaderWhoseSessionExpiredBecomesAFollowerAndCatchesUp() throws Exception {
    TopicPartition tp = new TopicPartition("expire", 0);
    cluster.createTopic("expire", 1, 3, Map.of("min.insync.replicas", "2"));
    BrokerServer old = cluster.leader(tp);
    int oldId = old.brokerId();
    produce(old, tp, -1, 5).forEach(r -> assertEquals(ErrorCode.NONE, r.getError()));
    long epochBefore = old.brokerEpoch();

    cluster.expireSession(oldId);
    cluster.waitForPartition(
        tp, "a leader other than " + oldId, ps -> ps.getLeader() > 0 && ps.getLeader() != oldId);
    BrokerServer leader = cluster.leader(tp);
    Wait.forValue(
        "an acks=all write to the new leader",
        LONG,
        () -> {
          try {
            return produce(leader, tp, -1, 1).get(0);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        },
        r -> r.getError() == ErrorCode.NONE);
    // The old leader registers again (a new broker epoch), follows, and rejoins the ISR.
    Wait.until(
        "broker " + oldId + " registered again", LONG, () -> old.brokerEpoch() > epochBefore);
    cluster.waitForPartition(
        tp, "broker " + oldId + " back in the ISR", ps -> ps.getIsrList().contains(oldId));
    waitForReplicasInSync(tp, 3);
    assertLogsEqual(tp);
    assertTrue(!old.replicaManager().partition(tp).orElseThrow().isLeader());
  }
}
