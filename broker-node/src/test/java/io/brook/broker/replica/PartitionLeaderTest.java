package io.brook.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.broker.testing.Batches;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopicResult;
import io.brook.protocol.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader side of {@link Partition}: high watermark, caught-up times, ISR proposals. */
class PartitionLeaderTest {
  static final long LAG = 1000;
  @TempDir Path dir;
  final MockTime time = new MockTime();
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
  final List<AlterPartitionRequest> sent = new ArrayList<>();
  final List<CompletableFuture<AlterPartitionResponse>> answers = new ArrayList<>();
  final AtomicInteger changes = new AtomicInteger();
  final TopicPartition tp = new TopicPartition("t", 0);
  Log log;

  @BeforeEach
  void open() throws Exception {
    log =
        Log.open(
            dir.resolve("t-0"), UUID.randomUUID(), LogConfig.DEFAULT, 0, 0, false, scheduler, time);
  }

  @AfterEach
  void close() {
    log.close();
    scheduler.close();
  }

  Partition partition(int minIsr) {
    Partition.Context ctx =
        new Partition.Context(
            time,
            LAG,
            req -> {
              sent.add(req);
              CompletableFuture<AlterPartitionResponse> f = new CompletableFuture<>();
              answers.add(f);
              return f;
            },
            () -> 7L,
            p -> changes.incrementAndGet());
    return new Partition(tp, 1, log, minIsr, ctx);
  }

  static ByteBuffer records(int n) {
    return ByteBuffer.wrap(Batches.of(n, 1000).toByteArray());
  }

  static AlterPartitionResponse answer(ErrorCode error, int epoch, List<Integer> isr, int pe) {
    return AlterPartitionResponse.newBuilder()
        .addTopics(
            AlterPartitionTopicResult.newBuilder()
                .setTopic("t")
                .addPartitions(
                    AlterPartitionResult.newBuilder()
                        .setPartition(0)
                        .setError(error)
                        .setLeader(1)
                        .setLeaderEpoch(epoch)
                        .addAllIsr(isr)
                        .setPartitionEpoch(pe)))
        .build();
  }

  @Test
  void highWatermarkIsTheSmallestIsrLogEndOffset() {
    Partition p = partition(1);
    p.applyState(1, 3, 10, List.of(1, 2, 3), List.of(1, 2, 3));
    p.appendAsLeader(records(10), 1);
    assertEquals(0, p.highWatermark(), "followers not heard from hold HW back");
    assertFalse(p.updateFollowerFetchState(2, 10, time.milliseconds()));
    assertEquals(0, p.highWatermark());
    assertTrue(p.updateFollowerFetchState(3, 4, time.milliseconds()));
    assertEquals(4, p.highWatermark());
    assertTrue(p.updateFollowerFetchState(3, 10, time.milliseconds()));
    assertEquals(10, p.highWatermark());
    assertTrue(sent.isEmpty(), "nothing to propose");
  }

  @Test
  void highWatermarkWaitsForMinInsyncReplicasAndAcksAllIsRefused() {
    Partition p = partition(2);
    p.applyState(1, 0, 0, List.of(1), List.of(1, 2));
    p.appendAsLeader(records(5), 1);
    assertEquals(0, p.highWatermark(), "ISR [1] < min.insync.replicas=2");
    ApiException e = assertThrows(ApiException.class, () -> p.appendAsLeader(records(1), -1));
    assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, e.code());
    assertEquals(5, log.logEndOffset(), "nothing appended");

    // The follower reaches HW (0) and the epoch start: proposed; HW waits for the commit.
    p.updateFollowerFetchState(2, 5, time.milliseconds());
    assertEquals(1, sent.size());
    assertEquals(List.of(1, 2), sent.get(0).getTopics(0).getPartitions(0).getNewIsrList());
    assertEquals(7L, sent.get(0).getBrokerEpoch());
    assertEquals(0, p.highWatermark());
    answers.get(0).complete(answer(ErrorCode.NONE, 0, List.of(1, 2), 1));
    assertEquals(List.of(1, 2), p.state().isr());
    assertEquals(1, p.state().partitionEpoch());
    assertEquals(5, p.highWatermark());
    assertTrue(changes.get() > 0);
  }

  @Test
  void laggingFollowerIsProposedForRemovalAndTheCommittedIsrApplies() {
    Partition p = partition(1);
    p.applyState(1, 2, 4, List.of(1, 2, 3), List.of(1, 2, 3));
    p.appendAsLeader(records(3), 1);
    p.updateFollowerFetchState(2, 3, time.milliseconds());
    p.updateFollowerFetchState(3, 3, time.milliseconds());
    assertEquals(3, p.highWatermark());

    p.appendAsLeader(records(3), 1); // LEO 6
    time.advance(LAG / 2);
    p.updateFollowerFetchState(2, 6, time.milliseconds()); // caught up now
    assertFalse(p.maybeShrinkIsr(), "3 lags only " + LAG / 2 + " ms");
    time.advance(LAG / 2 + 1);
    p.updateFollowerFetchState(2, 6, time.milliseconds());
    assertTrue(p.maybeShrinkIsr());
    AlterPartitionRequest req = sent.get(0);
    assertEquals(List.of(1, 2), req.getTopics(0).getPartitions(0).getNewIsrList());
    assertEquals(2, req.getTopics(0).getPartitions(0).getLeaderEpoch());
    assertEquals(4, req.getTopics(0).getPartitions(0).getPartitionEpoch());
    assertEquals(3, p.highWatermark(), "until committed, the old ISR counts");
    assertFalse(p.maybeShrinkIsr(), "one proposal in flight");

    answers.get(0).complete(answer(ErrorCode.NONE, 2, List.of(1, 2), 5));
    assertEquals(List.of(1, 2), p.state().isr());
    assertEquals(6, p.highWatermark());
  }

  @Test
  void caughtUpTimeFollowsKafkasRule() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1, 2), List.of(1, 2));
    p.appendAsLeader(records(10), 1); // LEO 10
    long t0 = time.milliseconds();
    p.updateFollowerFetchState(2, 10, t0); // at LEO: caught up at t0
    assertEquals(t0, p.followerStates().get(2).lastCaughtUpTimeMs());

    p.appendAsLeader(records(5), 1); // LEO 15
    time.advance(100);
    long t1 = time.milliseconds();
    p.updateFollowerFetchState(2, 12, t1); // behind LEO 15, but past 10 (LEO at the previous fetch)
    assertEquals(t0, p.followerStates().get(2).lastCaughtUpTimeMs());

    p.appendAsLeader(records(5), 1); // LEO 20
    time.advance(100);
    p.updateFollowerFetchState(2, 14, time.milliseconds()); // below 15 (LEO at previous fetch)
    assertEquals(t0, p.followerStates().get(2).lastCaughtUpTimeMs());
    time.advance(100);
    p.updateFollowerFetchState(2, 20, time.milliseconds());
    assertEquals(time.milliseconds(), p.followerStates().get(2).lastCaughtUpTimeMs());
  }

  @Test
  void refusedExpansionIsForgottenAndProposedAgain() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1), List.of(1, 2));
    p.appendAsLeader(records(10), 1);
    assertEquals(10, p.highWatermark());
    p.updateFollowerFetchState(2, 5, time.milliseconds());
    assertTrue(sent.isEmpty(), "below HW");
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    assertEquals(1, sent.size());
    assertEquals(List.of(1, 2), p.maximalIsr());
    p.appendAsLeader(records(5), 1);
    assertEquals(10, p.highWatermark(), "the pending member counts for HW");
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    assertEquals(1, sent.size(), "one in flight");

    answers.get(0).complete(answer(ErrorCode.INVALID_UPDATE_VERSION, 0, List.of(1), 3));
    assertEquals(List.of(1), p.state().isr());
    assertEquals(15, p.highWatermark());
    assertFalse(p.alterPartitionInFlight());
    p.updateFollowerFetchState(2, 15, time.milliseconds());
    assertEquals(2, sent.size());
  }

  @Test
  void answersForAnOlderLeaderEpochAreIgnored() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1, 2), List.of(1, 2));
    time.advance(LAG + 1);
    assertTrue(p.maybeShrinkIsr());
    p.applyState(1, 1, 1, List.of(1, 2), List.of(1, 2)); // re-elected meanwhile
    answers.get(0).complete(answer(ErrorCode.NONE, 0, List.of(1), 1));
    assertEquals(List.of(1, 2), p.state().isr());
    assertEquals(1, p.state().leaderEpoch());
  }

  @Test
  void followersAndNonLeadersAreRefused() {
    Partition p = partition(1);
    p.applyState(2, 0, 0, List.of(1, 2), List.of(1, 2));
    ApiException e =
        assertThrows(
            ApiException.class, () -> p.updateFollowerFetchState(3, 0, time.milliseconds()));
    assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, e.code());
    p.applyState(1, 1, 1, List.of(1, 2), List.of(1, 2));
    e =
        assertThrows(
            ApiException.class, () -> p.updateFollowerFetchState(3, 0, time.milliseconds()));
    assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, e.code());
  }
}
