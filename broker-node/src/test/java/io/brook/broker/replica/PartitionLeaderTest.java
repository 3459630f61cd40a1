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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader side of {@link Partition}: high watermark, caught-up times, ISR proposals. */
class PartitionLeaderTest {
  static final long LAG = 1000;
  static final long BACKOFF = 500;
  @TempDir Path dir;
  final MockTime time = new MockTime();
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
  final List<AlterPartitionRequest> sent = new ArrayList<>();
  final List<CompletableFuture<AlterPartitionResponse>> answers = new ArrayList<>();
  final AtomicInteger changes = new AtomicInteger();
  final TopicPartition tp = new TopicPartition("t", 0);
  final Set<Integer> live = new HashSet<>(Set.of(1, 2, 3));
  final AtomicLong brokerEpoch = new AtomicLong(7);
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
            brokerEpoch::get,
            p -> changes.incrementAndGet(),
            live::contains,
            BACKOFF);
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

  static AlterPartitionResponse refusedRequest(ErrorCode error) {
    return AlterPartitionResponse.newBuilder()
        .setError(error)
        .setErrorMessage("Broker 1 is not registered")
        .build();
  }

  List<Integer> proposedIsr(int i) {
    return sent.get(i).getTopics(0).getPartitions(0).getNewIsrList();
  }

  /** Follower {@code id} fetches at {@code offset} {@code times} times in a row, now. */
  void fetches(Partition p, int id, long offset, int times) {
    for (int i = 0; i < times; i++) {
      p.updateFollowerFetchState(id, offset, time.milliseconds());
    }
  }

  @Test
  void refusedExpansionIsForgottenAndProposedAgainOnceTheStateIsNewer() {
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
    fetches(p, 2, 15, 5);
    assertEquals(1, sent.size(), "a stale partition epoch: nothing proposed until LeaderAndIsr");
    assertFalse(p.maybeShrinkIsr(), "nor a shrink");

    p.applyState(1, 0, 3, List.of(1), List.of(1, 2)); // the controller's newer state
    p.updateFollowerFetchState(2, 15, time.milliseconds());
    assertEquals(2, sent.size(), "proposed at once under the newer partition epoch");
    assertEquals(3, sent.get(1).getTopics(0).getPartitions(0).getPartitionEpoch());
  }

  @Test
  void aStaleStateRefusalBlocksProposalsOnlyForTheBackoff() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1), List.of(1, 2));
    p.appendAsLeader(records(10), 1);
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    answers.get(0).complete(answer(ErrorCode.FENCED_LEADER_EPOCH, 1, List.of(1), 0));
    time.advance(BACKOFF - 1);
    fetches(p, 2, 10, 3);
    assertEquals(1, sent.size(), "within the backoff");
    time.advance(1);
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    assertEquals(2, sent.size(), "no LeaderAndIsr came: proposed again after the backoff");
  }

  @Test
  void aFollowerThatIsNotLiveIsNotProposedUntilItIs() {
    live.remove(2);
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1), List.of(1, 2));
    p.appendAsLeader(records(10), 1);
    fetches(p, 2, 10, 20);
    assertTrue(sent.isEmpty(), "broker 2 caught up but is not live: " + sent);
    assertEquals(List.of(1), p.maximalIsr(), "and does not count for HW");
    assertEquals(10, p.highWatermark());

    live.add(2); // UpdateMetadata lists it again
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    assertEquals(1, sent.size());
    assertEquals(List.of(1, 2), proposedIsr(0));
  }

  @Test
  void anIneligibleReplicaRefusalIsNotProposedAgainUntilTheBackoffOrALivenessChange() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1), List.of(1, 2));
    p.appendAsLeader(records(10), 1);
    p.updateFollowerFetchState(2, 10, time.milliseconds()); // live in this broker's (stale) view
    assertEquals(1, sent.size());
    answers.get(0).complete(answer(ErrorCode.INELIGIBLE_REPLICA, 0, List.of(1), 0));
    assertEquals(List.of(1), p.maximalIsr(), "the refused member no longer counts for HW");
    assertFalse(p.alterPartitionInFlight());

    fetches(p, 2, 10, 50);
    assertEquals(1, sent.size(), "no re-proposal on every fetch");
    time.advance(BACKOFF - 1);
    fetches(p, 2, 10, 5);
    assertEquals(1, sent.size(), "nor within the backoff");
    time.advance(1);
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    assertEquals(2, sent.size(), "proposed again once the backoff passed");

    answers.get(1).complete(answer(ErrorCode.INELIGIBLE_REPLICA, 0, List.of(1), 0));
    fetches(p, 2, 10, 5);
    assertEquals(2, sent.size());
    p.onLiveBrokersChanged(); // UpdateMetadata changed the live brokers
    p.updateFollowerFetchState(2, 10, time.milliseconds());
    assertEquals(3, sent.size(), "proposed again at once after a liveness change");
    assertEquals(List.of(1, 2), proposedIsr(2));
  }

  @Test
  void anIneligibleReplicaRefusalDoesNotBlockOtherChanges() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1, 2), List.of(1, 2, 3));
    p.appendAsLeader(records(10), 1);
    p.updateFollowerFetchState(3, 10, time.milliseconds()); // 2 never fetches
    assertEquals(List.of(1, 2, 3), proposedIsr(0));
    time.advance(LAG + 1);
    answers.get(0).complete(answer(ErrorCode.INELIGIBLE_REPLICA, 0, List.of(1, 2), 0));

    fetches(p, 3, 10, 3);
    assertEquals(1, sent.size(), "the refused ISR is not proposed again");
    assertTrue(p.maybeShrinkIsr(), "but a different ISR change is, at once");
    assertEquals(List.of(1), proposedIsr(1));
  }

  @Test
  void aStaleBrokerEpochBacksOffEveryProposalUntilTheBrokerRegistersAgain() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1, 2), List.of(1, 2));
    time.advance(LAG + 1);
    assertTrue(p.maybeShrinkIsr());
    answers.get(0).complete(refusedRequest(ErrorCode.STALE_BROKER_EPOCH));
    for (int i = 0; i < 10; i++) {
      assertFalse(p.maybeShrinkIsr(), "refused for this registration: not proposed again");
    }
    brokerEpoch.set(8); // registered again
    assertTrue(p.maybeShrinkIsr());
    assertEquals(8L, sent.get(1).getBrokerEpoch());

    answers.get(1).complete(refusedRequest(ErrorCode.STALE_BROKER_EPOCH));
    assertFalse(p.maybeShrinkIsr());
    time.advance(BACKOFF);
    assertTrue(p.maybeShrinkIsr(), "tried again after the backoff");
    assertEquals(3, sent.size());
  }

  @Test
  void aProposalWithoutAnAnswerBacksOff() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1, 2), List.of(1, 2));
    time.advance(LAG + 1);
    assertTrue(p.maybeShrinkIsr());
    answers.get(0).completeExceptionally(new TimeoutException("no controller answered"));
    assertFalse(p.alterPartitionInFlight());
    assertFalse(p.maybeShrinkIsr());
    time.advance(BACKOFF);
    assertTrue(p.maybeShrinkIsr());
  }

  @Test
  void aRefusalOfAnOlderStateDoesNotBlockTheNewOne() {
    Partition p = partition(1);
    p.applyState(1, 0, 0, List.of(1, 2), List.of(1, 2));
    time.advance(LAG + 1);
    assertTrue(p.maybeShrinkIsr());
    p.applyState(1, 0, 1, List.of(1, 2), List.of(1, 2)); // LeaderAndIsr overtakes the answer
    answers.get(0).complete(answer(ErrorCode.INVALID_UPDATE_VERSION, 0, List.of(1, 2), 1));
    assertTrue(p.maybeShrinkIsr(), "the refusal was about partition epoch 0");
    assertEquals(1, sent.get(1).getTopics(0).getPartitions(0).getPartitionEpoch());
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
