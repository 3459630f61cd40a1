package io.brook.broker.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.LogManager;
import io.brook.broker.log.LogManagerConfig;
import io.brook.broker.replica.AlterPartitionSender;
import io.brook.broker.replica.FollowerFetching;
import io.brook.broker.replica.ReplicaManager;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.Wait;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.protocol.v1.EpochQuery;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ReplicaFetchPosition;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Replicate stream's protocol: request/response alternation, broker-epoch fencing, and its end
 * when the broker shuts down.
 */
class ReplicaGrpcServiceTest {
  @TempDir Path dir;
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("grpc-test", 2);
  LogManager logManager;
  ReplicaManager rm;
  ReplicaGrpcService service;
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    MockTime time = new MockTime();
    logManager = new LogManager(List.of(dir), LogManagerConfig.DEFAULT, scheduler, time);
    logManager.startup();
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
            () -> 1L);
    rm.applyLeaderAndIsr(
        LeaderAndIsrRequest.newBuilder()
            .addTopics(
                LeaderAndIsrTopic.newBuilder()
                    .setTopic("t")
                    .setTopicId(UUID.randomUUID().toString())
                    .addPartitions(
                        PartitionState.newBuilder()
                            .setTopic("t")
                            .setPartition(0)
                            .setLeader(1)
                            .setLeaderEpoch(2)
                            .setPartitionEpoch(1)
                            .addAllIsr(List.of(1, 2))
                            .addAllReplicas(List.of(1, 2))))
            .build());
    String name = InProcessServerBuilder.generateName();
    service = new ReplicaGrpcService(rm);
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    rm.close();
    logManager.close();
    scheduler.close();
  }

  static ReplicaFetchRequest fetch(long id, long epoch, long offset, int waitMs) {
    return ReplicaFetchRequest.newBuilder()
        .setReplicaId(2)
        .setBrokerEpoch(epoch)
        .setRequestId(id)
        .setMaxWaitMs(waitMs)
        .setMinBytes(1)
        .addPositions(
            ReplicaFetchPosition.newBuilder()
                .setTopic("t")
                .setPartition(0)
                .setFetchOffset(offset)
                .setLastFetchedEpoch(-1)
                .setCurrentLeaderEpoch(2))
        .build();
  }

  /** A client side of one stream collecting what it gets. */
  static final class Collector extends StreamClient<ReplicaFetchResponse> {}

  @Test
  void oneRequestOutstandingPerStreamAnsweredInOrder() throws Exception {
    Collector c = new Collector();
    StreamObserver<ReplicaFetchRequest> out = ReplicaServiceGrpc.newStub(channel).replicate(c);
    out.onNext(fetch(1, 5, 0, 30_000)); // at the log end: waits for an append
    out.onNext(fetch(2, 5, 0, 0));
    Wait.until(
        "the first fetch waiting", Duration.ofSeconds(30), () -> rm.waitingReplicaFetches() == 1);
    assertNull(c.responses.poll(200, TimeUnit.MILLISECONDS), "the second waits for the first");

    rm.appendRecords(BrokerClient.produceRequest(1, 1, "t", 0, Batches.of(3, 1000))).get();
    ReplicaFetchResponse first = c.next();
    assertEquals(1, first.getRequestId());
    assertTrue(first.getPartitions(0).getRecords().size() > 0);
    ReplicaFetchResponse second = c.next();
    assertEquals(2, second.getRequestId());
    assertEquals(ErrorCode.NONE, second.getPartitions(0).getError());
    out.onCompleted();
    assertNull(c.ended.get(30, TimeUnit.SECONDS));
  }

  @Test
  void anOlderBrokerEpochEndsTheStream() throws Exception {
    Collector current = new Collector();
    StreamObserver<ReplicaFetchRequest> a = ReplicaServiceGrpc.newStub(channel).replicate(current);
    a.onNext(fetch(1, 10, 0, 0));
    assertEquals(1, current.next().getRequestId());

    Collector stale = new Collector();
    StreamObserver<ReplicaFetchRequest> b = ReplicaServiceGrpc.newStub(channel).replicate(stale);
    b.onNext(fetch(1, 9, 0, 0));
    Throwable t = stale.ended.get(30, TimeUnit.SECONDS);
    Status s = Status.fromThrowable(t);
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertTrue(s.getDescription().contains("STALE_BROKER_EPOCH"), s.getDescription());
    a.onCompleted();
  }

  @Test
  void drainingEndsTheStreamAtOnceWithUnavailableEvenWithAFetchWaiting() throws Exception {
    Collector c = new Collector();
    StreamObserver<ReplicaFetchRequest> out = ReplicaServiceGrpc.newStub(channel).replicate(c);
    out.onNext(fetch(1, 5, 0, 30_000)); // at the log end: waits for an append
    Wait.until("the fetch waiting", Duration.ofSeconds(30), () -> rm.waitingReplicaFetches() == 1);
    assertEquals(1, service.openStreams().size());

    service.openStreams().drainAll();

    Status s = Status.fromThrowable(c.ended.get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("shutting down"), s.getDescription());
    assertEquals(0, service.openStreams().size(), "an ended stream is forgotten");
    // The waiting fetch completes later (an append) without anything sent on the ended stream.
    rm.appendRecords(BrokerClient.produceRequest(1, 1, "t", 0, Batches.of(3, 1000))).get();
    Wait.until("the fetch answered", Duration.ofSeconds(30), () -> rm.waitingReplicaFetches() == 0);
    assertTrue(c.responses.isEmpty(), "no answer after the end: " + c.responses);

    Collector late = new Collector();
    ReplicaServiceGrpc.newStub(channel).replicate(late);
    Status lateStatus = Status.fromThrowable(late.ended.get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, lateStatus.getCode(), "a stream opened after the drain");
  }

  @Test
  void streamsEndedByTheirFollowerAreForgotten() throws Exception {
    Collector c = new Collector();
    StreamObserver<ReplicaFetchRequest> out = ReplicaServiceGrpc.newStub(channel).replicate(c);
    out.onNext(fetch(1, 5, 0, 0));
    assertEquals(1, c.next().getRequestId());
    assertEquals(1, service.openStreams().size());
    out.onCompleted();
    assertNull(c.ended.get(30, TimeUnit.SECONDS));
    Wait.until(
        "the stream forgotten", Duration.ofSeconds(30), () -> service.openStreams().size() == 0);
  }

  @Test
  void offsetForLeaderEpochIsServed() {
    OffsetForLeaderEpochResponse r =
        ReplicaServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .offsetForLeaderEpoch(
                OffsetForLeaderEpochRequest.newBuilder()
                    .setReplicaId(2)
                    .addPartitions(
                        EpochQuery.newBuilder()
                            .setTopic("t")
                            .setPartition(0)
                            .setCurrentLeaderEpoch(2)
                            .setLeaderEpoch(2))
                    .build());
    assertEquals(ErrorCode.NONE, r.getPartitions(0).getError());
    assertEquals(2, r.getPartitions(0).getLeaderEpoch());
    assertEquals(0, r.getPartitions(0).getEndOffset());
  }
}
