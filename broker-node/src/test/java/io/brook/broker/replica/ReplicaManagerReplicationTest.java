package io.brook.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.broker.log.LogManager;
import io.brook.broker.log.LogManagerConfig;
import io.brook.broker.server.ControlRequestHandler;
import io.brook.broker.server.MetadataCache;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopicResult;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.EpochQuery;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.ReplicaFetchData;
import io.brook.protocol.v1.ReplicaFetchPosition;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ReplicaManager's leader side over a real LogManager, without the network: follower fetches,
 * acks=all completion by follower progress, epoch fencing, becoming follower / leader.
 */
class ReplicaManagerReplicationTest {
  @TempDir Path dir;
  final MockTime time = new MockTime();
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("rm-test", 2);
  final UUID topicId = UUID.randomUUID();
  final TopicPartition tp = new TopicPartition("t", 0);
  final List<String> fetcherCalls = new CopyOnWriteArrayList<>();
  final List<FollowerFetching.FetchStart> starts = new CopyOnWriteArrayList<>();
  LogManager logManager;
  ReplicaManager rm;

  @BeforeEach
  void start() {
    logManager = new LogManager(List.of(dir), LogManagerConfig.DEFAULT, scheduler, time);
    logManager.startup();
    FollowerFetching fetching =
        new FollowerFetching() {
          @Override
          public void startFetching(Map<Partition, FetchStart> partitions) {
            partitions.forEach(
                (p, s) -> {
                  fetcherCalls.add("start " + p.topicPartition() + " " + s.leaderEpoch());
                  starts.add(s);
                });
          }

          @Override
          public void stopFetching(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> fetcherCalls.add("stop " + tp));
          }

          @Override
          public void close() {}
        };
    rm =
        new ReplicaManager(
            1,
            logManager,
            Map.of(),
            t -> true,
            scheduler,
            time,
            fetching,
            AlterPartitionSender.NONE,
            () -> 1L);
  }

  @AfterEach
  void stop() {
    rm.close();
    logManager.close();
    scheduler.close();
  }

  void leaderAndIsr(int leader, int epoch, int pe, List<Integer> isr, Map<String, String> cfg) {
    LeaderAndIsrRequest req =
        LeaderAndIsrRequest.newBuilder()
            .addTopics(
                LeaderAndIsrTopic.newBuilder()
                    .setTopic("t")
                    .setTopicId(topicId.toString())
                    .putAllConfigs(cfg)
                    .addPartitions(
                        PartitionState.newBuilder()
                            .setTopic("t")
                            .setPartition(0)
                            .setLeader(leader)
                            .setLeaderEpoch(epoch)
                            .setPartitionEpoch(pe)
                            .addAllIsr(isr)
                            .addAllReplicas(List.of(1, 2, 3))))
            .addLiveLeaders(BrokerEndpoint.newBuilder().setId(2).setHost("127.0.0.1").setPort(1234))
            .build();
    assertEquals(List.of(), rm.applyLeaderAndIsr(req));
  }

  static ReplicaFetchRequest fetch(int replica, long offset, int lastEpoch, int epoch, int wait) {
    return ReplicaFetchRequest.newBuilder()
        .setReplicaId(replica)
        .setBrokerEpoch(5)
        .setRequestId(1)
        .setMaxWaitMs(wait)
        .setMinBytes(1)
        .addPositions(
            ReplicaFetchPosition.newBuilder()
                .setTopic("t")
                .setPartition(0)
                .setFetchOffset(offset)
                .setLastFetchedEpoch(lastEpoch)
                .setCurrentLeaderEpoch(epoch))
        .build();
  }

  static ReplicaFetchData only(CompletableFuture<ReplicaFetchResponse> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS).getPartitions(0);
  }

  CompletableFuture<ProduceResponse> produce(int acks, int n) {
    return rm.appendRecords(BrokerClient.produceRequest(1, acks, "t", 0, Batches.of(n, 1000)));
  }

  /** acks=1 produce of one batch of {@code n} records of 1,000-byte values. */
  CompletableFuture<ProduceResponse> produceBig(int n) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 1024);
    for (int i = 0; i < n; i++) {
      b.append(i, null, new byte[1000], new Header[0]);
    }
    return rm.appendRecords(
        BrokerClient.produceRequest(1, 1, "t", 0, ByteString.copyFrom(b.build())));
  }

  static PartitionProduceResponse result(CompletableFuture<ProduceResponse> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
  }

  @Test
  void aPartitionContributesAtMostMaxPartitionReadBytesToAFetchButAtLeastOneBatch()
      throws Exception {
    leaderAndIsr(1, 1, 1, List.of(1, 2, 3), Map.of());
    for (int i = 0; i < 12; i++) {
      assertEquals(ErrorCode.NONE, result(produceBig(100)).getError()); // ~100 KB batches
    }
    // The follower may take 1 MiB (replica.fetch.max.bytes): it gets whole batches up to the cap.
    ReplicaFetchData d = only(rm.fetchForFollower(fetch(2, 0, -1, 1, 0)));
    assertEquals(ErrorCode.NONE, d.getError());
    assertTrue(d.getRecords().size() > ReplicaManager.MAX_PARTITION_READ_BYTES / 2, "some batches");
    assertTrue(
        d.getRecords().size() <= ReplicaManager.MAX_PARTITION_READ_BYTES,
        d.getRecords().size() + " bytes");

    // A single batch above the cap still comes whole, so the follower makes progress.
    long end = rm.partition(tp).orElseThrow().log().logEndOffset();
    assertEquals(ErrorCode.NONE, result(produceBig(600)).getError());
    ReplicaFetchData big = only(rm.fetchForFollower(fetch(2, end, 1, 1, 0)));
    assertTrue(big.getRecords().size() > ReplicaManager.MAX_PARTITION_READ_BYTES);
  }

  @Test
  void acksAllCompletesWhenEveryIsrFollowerFetchedPastTheBatch() throws Exception {
    leaderAndIsr(1, 1, 1, List.of(1, 2, 3), Map.of());
    CompletableFuture<ProduceResponse> produced = produce(-1, 5);
    assertFalse(produced.isDone());

    ReplicaFetchData d = only(rm.fetchForFollower(fetch(2, 0, -1, 1, 0)));
    assertEquals(ErrorCode.NONE, d.getError());
    assertTrue(d.getRecords().size() > 0);
    assertEquals(0, d.getHighWatermark());
    assertEquals(-1, d.getDivergingEpoch().getLeaderEpoch());
    only(rm.fetchForFollower(fetch(2, 5, 1, 1, 0)));
    only(rm.fetchForFollower(fetch(3, 0, -1, 1, 0)));
    assertFalse(produced.isDone(), "follower 3 has not fetched past the batch yet");

    // Follower 3 fetches at 5 and long-polls: HW moves to 5, the produce completes.
    CompletableFuture<ReplicaFetchResponse> waiting =
        rm.fetchForFollower(fetch(3, 5, 1, 1, 30_000));
    PartitionProduceResponse r = result(produced);
    assertEquals(ErrorCode.NONE, r.getError());
    assertEquals(0, r.getBaseOffset());
    assertEquals(5, rm.partition(tp).orElseThrow().highWatermark());
    assertFalse(waiting.isDone());
    assertEquals(1, rm.waitingReplicaFetches());

    // An append wakes the waiting follower fetch.
    assertEquals(ErrorCode.NONE, result(produce(1, 2)).getError());
    ReplicaFetchData woken = only(waiting);
    assertTrue(woken.getRecords().size() > 0);
    assertEquals(5, woken.getHighWatermark());
  }

  /** An UpdateMetadata from controller 9 listing {@code live} as the live brokers. */
  static UpdateMetadataRequest liveBrokers(Integer... live) {
    UpdateMetadataRequest.Builder b =
        UpdateMetadataRequest.newBuilder()
            .setControllerId(9)
            .setControllerEpoch(1)
            .setBrokerEpoch(1)
            .setFull(true);
    for (int id : live) {
      b.addLiveBrokers(BrokerEndpoint.newBuilder().setId(id).setHost("127.0.0.1").setPort(1000));
    }
    return b.build();
  }

  static AlterPartitionResponse ineligible(String message) {
    return AlterPartitionResponse.newBuilder()
        .addTopics(
            AlterPartitionTopicResult.newBuilder()
                .setTopic("t")
                .addPartitions(
                    AlterPartitionResult.newBuilder()
                        .setPartition(0)
                        .setError(ErrorCode.INELIGIBLE_REPLICA)
                        .setErrorMessage(message)))
        .build();
  }

  @Test
  void leadersProposeOnlyLiveFollowersAndRetryARefusalWhenTheLiveBrokersChange() throws Exception {
    rm.close();
    List<AlterPartitionRequest> sent = new CopyOnWriteArrayList<>();
    List<CompletableFuture<AlterPartitionResponse>> answers = new CopyOnWriteArrayList<>();
    MetadataCache cache = new MetadataCache();
    rm =
        new ReplicaManager(
            1,
            logManager,
            Map.of(ReplicaManager.REPLICA_FETCH_BACKOFF_MS, "3600000"),
            t -> true,
            scheduler,
            time,
            FollowerFetching.NONE,
            req -> {
              sent.add(req);
              CompletableFuture<AlterPartitionResponse> f = new CompletableFuture<>();
              answers.add(f);
              return f;
            },
            () -> 1L,
            false,
            id -> cache.broker(id).isPresent());
    ControlRequestHandler control = new ControlRequestHandler(1, () -> 1L, rm, cache);
    assertEquals(ErrorCode.NONE, control.updateMetadata(liveBrokers(1, 3)).getError());
    leaderAndIsr(1, 1, 1, List.of(1, 3), Map.of());
    assertEquals(ErrorCode.NONE, result(produce(1, 5)).getError());

    // Broker 2 (its session expired; not registered) catches up: not proposed, however often.
    for (int i = 0; i < 20; i++) {
      only(rm.fetchForFollower(fetch(2, 5, 1, 1, 0)));
    }
    assertEquals(List.of(), sent, "broker 2 is not live in the metadata");

    // It registers again: the controller's UpdateMetadata lists it, the next fetch proposes it.
    control.updateMetadata(liveBrokers(1, 2, 3));
    only(rm.fetchForFollower(fetch(2, 5, 1, 1, 0)));
    assertEquals(1, sent.size());
    assertEquals(List.of(1, 3, 2), sent.get(0).getTopics(0).getPartitions(0).getNewIsrList());

    // The controller saw it leave again meanwhile: refused, and not proposed on every fetch.
    answers.get(0).complete(ineligible("Replicas [2] of the proposed ISR [1, 3, 2] are not live"));
    for (int i = 0; i < 20; i++) {
      only(rm.fetchForFollower(fetch(2, 5, 1, 1, 0)));
    }
    assertEquals(1, sent.size(), "a refused proposal waits for a change (or the backoff)");

    // UpdateMetadata with the same live brokers changes nothing; a different set lifts the block.
    control.updateMetadata(liveBrokers(1, 2, 3));
    only(rm.fetchForFollower(fetch(2, 5, 1, 1, 0)));
    assertEquals(1, sent.size());
    control.updateMetadata(liveBrokers(1, 3));
    control.updateMetadata(liveBrokers(1, 2, 3));
    only(rm.fetchForFollower(fetch(2, 5, 1, 1, 0)));
    assertEquals(2, sent.size(), "proposed again once the live brokers changed");
  }

  @Test
  void acksAllWaitsForReplicationAndMinIsrUnlessTheTestFaultIsOn() throws Exception {
    // Off by default (the @BeforeEach manager): acks=all waits for the followers, and with the ISR
    // below min.insync.replicas it is refused.
    leaderAndIsr(1, 1, 1, List.of(1, 2, 3), Map.of("min.insync.replicas", "2"));
    assertFalse(produce(-1, 5).isDone(), "acks=all waits while the followers have not fetched");
    leaderAndIsr(1, 1, 2, List.of(1), Map.of("min.insync.replicas", "2"));
    assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, result(produce(-1, 1)).getError());
    rm.close();

    // On: answered right after the local append, although no follower fetched and the ISR is 1.
    rm =
        new ReplicaManager(
            1,
            logManager,
            Map.of(),
            t -> true,
            scheduler,
            time,
            FollowerFetching.NONE,
            AlterPartitionSender.NONE,
            () -> 1L,
            true,
            id -> true);
    leaderAndIsr(1, 1, 3, List.of(1, 2, 3), Map.of("min.insync.replicas", "2"));
    CompletableFuture<ProduceResponse> produced = produce(-1, 5);
    assertTrue(produced.isDone(), "acks=all answered at once with ackBeforeReplication");
    PartitionProduceResponse r = result(produced);
    assertEquals(ErrorCode.NONE, r.getError());
    long hw = rm.partition(tp).orElseThrow().highWatermark();
    assertTrue(hw <= r.getBaseOffset(), "acknowledged above the high watermark " + hw);
    assertEquals(0, rm.waitingProduces());

    leaderAndIsr(1, 1, 4, List.of(1), Map.of("min.insync.replicas", "2"));
    assertEquals(ErrorCode.NONE, result(produce(-1, 1)).getError(), "min.insync.replicas skipped");
  }

  @Test
  void fetchesAreFencedByLeaderEpochOffsetAndReplica() throws Exception {
    leaderAndIsr(1, 3, 1, List.of(1, 2, 3), Map.of());
    result(produce(1, 3));
    assertEquals(
        ErrorCode.FENCED_LEADER_EPOCH, only(rm.fetchForFollower(fetch(2, 0, -1, 2, 0))).getError());
    assertEquals(
        ErrorCode.UNKNOWN_LEADER_EPOCH,
        only(rm.fetchForFollower(fetch(2, 0, -1, 4, 0))).getError());
    assertEquals(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        only(rm.fetchForFollower(fetch(2, 99, -1, 3, 0))).getError());
    assertEquals(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        only(rm.fetchForFollower(fetch(7, 0, -1, 3, 0))).getError());
    assertEquals(ErrorCode.NONE, only(rm.fetchForFollower(fetch(2, 3, 3, 3, 0))).getError());
  }

  @Test
  void offsetForLeaderEpochCountsTheCurrentEpochFromItsStart() {
    leaderAndIsr(1, 4, 1, List.of(1, 2, 3), Map.of());
    var resp =
        rm.offsetForLeaderEpoch(
            OffsetForLeaderEpochRequest.newBuilder()
                .setReplicaId(2)
                .addPartitions(
                    EpochQuery.newBuilder()
                        .setTopic("t")
                        .setPartition(0)
                        .setCurrentLeaderEpoch(4)
                        .setLeaderEpoch(4))
                .addPartitions(
                    EpochQuery.newBuilder()
                        .setTopic("t")
                        .setPartition(0)
                        .setCurrentLeaderEpoch(3)
                        .setLeaderEpoch(3))
                .build());
    assertEquals(ErrorCode.NONE, resp.getPartitions(0).getError());
    assertEquals(4, resp.getPartitions(0).getLeaderEpoch());
    assertEquals(0, resp.getPartitions(0).getEndOffset());
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, resp.getPartitions(1).getError());
  }

  @Test
  void shrinkingBelowMinIsrFailsWaitingProducesAfterAppend() throws Exception {
    leaderAndIsr(1, 1, 1, List.of(1, 2, 3), Map.of("min.insync.replicas", "2"));
    CompletableFuture<ProduceResponse> produced = produce(-1, 5);
    assertFalse(produced.isDone());
    leaderAndIsr(1, 1, 2, List.of(1), Map.of("min.insync.replicas", "2"));
    assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, result(produced).getError());
    PartitionProduceResponse refused = result(produce(-1, 1));
    assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, refused.getError());
    assertEquals(5, rm.partition(tp).orElseThrow().log().logEndOffset());
  }

  @Test
  void becomingFollowerStartsFetchingAndFailsWaiters() throws Exception {
    leaderAndIsr(1, 1, 1, List.of(1, 2, 3), Map.of());
    assertEquals(List.of("stop t-0"), fetcherCalls);
    CompletableFuture<ProduceResponse> produced = produce(-1, 5);
    leaderAndIsr(2, 2, 2, List.of(1, 2, 3), Map.of());
    assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, result(produced).getError());
    assertEquals(List.of("stop t-0", "start t-0 2"), fetcherCalls);
    assertEquals(2, starts.get(0).leaderId());
    assertEquals(1234, starts.get(0).leaderEndpoint().getPort());
    assertEquals(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        only(rm.fetchForFollower(fetch(3, 0, -1, 2, 0))).getError());

    // An ISR change only: the fetcher goes on.
    leaderAndIsr(2, 2, 3, List.of(2, 3), Map.of());
    assertEquals(2, fetcherCalls.size());
    // Leader again: fetching stops first.
    leaderAndIsr(1, 3, 4, List.of(1, 2, 3), Map.of());
    assertEquals(new ArrayList<>(List.of("stop t-0", "start t-0 2", "stop t-0")), fetcherCalls);
  }

  @Test
  void divergingFollowersGetTheEndOfTheirLastEpoch() throws Exception {
    leaderAndIsr(1, 1, 1, List.of(1, 2, 3), Map.of());
    result(produce(1, 3)); // epoch 1: [0, 3)
    leaderAndIsr(1, 3, 2, List.of(1, 2, 3), Map.of());
    result(produce(1, 2)); // epoch 3: [3, 5)

    // Epoch 2 never reached this leader: its log ends where epoch 3 starts, in epoch 1.
    ReplicaFetchData d = only(rm.fetchForFollower(fetch(2, 5, 2, 3, 0)));
    assertEquals(ErrorCode.NONE, d.getError());
    assertEquals(1, d.getDivergingEpoch().getLeaderEpoch());
    assertEquals(3, d.getDivergingEpoch().getEndOffset());
    assertEquals(0, d.getRecords().size());
    // A follower with more of epoch 1 than the leader has.
    d = only(rm.fetchForFollower(fetch(2, 4, 1, 3, 0)));
    assertEquals(3, d.getDivergingEpoch().getEndOffset());
    // At the end of epoch 1 exactly: no divergence, records of epoch 3 follow.
    d = only(rm.fetchForFollower(fetch(2, 3, 1, 3, 0)));
    assertEquals(-1, d.getDivergingEpoch().getLeaderEpoch());
    assertTrue(d.getRecords().size() > 0);
  }

  static ByteString idempotent(long pid, int seq, int n) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 1024)
            .setProducerId(pid)
            .setProducerEpoch((short) 0)
            .setBaseSequence(seq);
    for (int i = 0; i < n; i++) {
      b.append(1000 + i, null, ("v" + (seq + i)).getBytes(), new Header[0]);
    }
    return ByteString.copyFrom(b.build());
  }

  @Test
  void retriedIdempotentBatchesAreAnsweredWithTheirOriginalOffsets() throws Exception {
    leaderAndIsr(1, 1, 1, List.of(1), Map.of());
    ByteString first = idempotent(7, 0, 3);
    PartitionProduceResponse a =
        result(rm.appendRecords(BrokerClient.produceRequest(1, -1, "t", 0, first)));
    PartitionProduceResponse b =
        result(rm.appendRecords(BrokerClient.produceRequest(2, -1, "t", 0, idempotent(7, 3, 2))));
    PartitionProduceResponse retry =
        result(rm.appendRecords(BrokerClient.produceRequest(3, -1, "t", 0, first)));
    assertEquals(ErrorCode.NONE, a.getError());
    assertEquals(3, b.getBaseOffset());
    assertEquals(ErrorCode.NONE, retry.getError(), retry.getErrorMessage());
    assertEquals(0, retry.getBaseOffset());
    assertEquals(5, rm.partition(tp).orElseThrow().log().logEndOffset(), "appended once");
  }

  @Test
  void aFetchWithoutPartitionsWaitsItsMaxWait() throws Exception {
    CompletableFuture<ReplicaFetchResponse> f =
        rm.fetchForFollower(
            ReplicaFetchRequest.newBuilder()
                .setReplicaId(2)
                .setRequestId(9)
                .setMaxWaitMs(200)
                .setMinBytes(1)
                .build());
    assertFalse(f.isDone(), "an idle follower must not spin");
    assertEquals(9, f.get(30, TimeUnit.SECONDS).getRequestId());
  }
}
