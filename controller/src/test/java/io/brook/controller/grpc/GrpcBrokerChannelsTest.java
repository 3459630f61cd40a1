package io.brook.controller.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.controller.BrokerChannels.BrokerUnreachableException;
import io.brook.metadata.BrokerInfo;
import io.brook.protocol.v1.BrokerControlServiceGrpc;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ordering of control requests per broker over real (in-process) gRPC: one request in flight per
 * broker, delivered in send order, retries keeping their place, brokers independent of each other.
 *
 * <p>Requests are told apart by a tag: the cluster id of an UpdateMetadata, the controller id of a
 * LeaderAndIsr or StopReplica. The fake records every arrival (also attempts it fails) as "UM:tag",
 * "LAI:tag" or "SR:tag".
 */
class GrpcBrokerChannelsTest {
  private static final long TIMEOUT_S = 30;

  private final List<Server> servers = new ArrayList<>();
  private final Map<Integer, String> serverNames = new ConcurrentHashMap<>();
  private GrpcBrokerChannels channels;

  @AfterEach
  void tearDown() {
    if (channels != null) {
      channels.close();
    }
    servers.forEach(Server::shutdownNow);
  }

  /** A fake broker that can hold its answer to chosen requests and fail chosen first attempts. */
  private static final class FakeControlService
      extends BrokerControlServiceGrpc.BrokerControlServiceImplBase {
    final List<String> arrivals = new CopyOnWriteArrayList<>();

    /** Tag -> the answer to that request waits for this future ("the latch"). */
    final Map<String, CompletableFuture<Void>> holds = new ConcurrentHashMap<>();

    /** Tags whose first attempt is answered UNAVAILABLE. */
    final Set<String> failFirstAttempt = ConcurrentHashMap.newKeySet();

    private <T> void answer(String tag, T response, StreamObserver<T> out) {
      arrivals.add(tag);
      if (failFirstAttempt.remove(tag)) {
        out.onError(Status.UNAVAILABLE.withDescription("injected").asRuntimeException());
        return;
      }
      holds
          .getOrDefault(tag, CompletableFuture.completedFuture(null))
          .thenRun(
              () -> {
                out.onNext(response);
                out.onCompleted();
              });
    }

    @Override
    public void leaderAndIsr(LeaderAndIsrRequest r, StreamObserver<LeaderAndIsrResponse> out) {
      answer(
          "LAI:" + r.getControllerId(),
          LeaderAndIsrResponse.newBuilder().setError(ErrorCode.NONE).build(),
          out);
    }

    @Override
    public void stopReplica(StopReplicaRequest r, StreamObserver<StopReplicaResponse> out) {
      answer(
          "SR:" + r.getControllerId(),
          StopReplicaResponse.newBuilder().setError(ErrorCode.NONE).build(),
          out);
    }

    @Override
    public void updateMetadata(
        UpdateMetadataRequest r, StreamObserver<UpdateMetadataResponse> out) {
      answer(
          "UM:" + r.getClusterId(),
          UpdateMetadataResponse.newBuilder()
              .setError(ErrorCode.NONE)
              .setErrorMessage("answer to " + r.getClusterId())
              .build(),
          out);
    }
  }

  private BrokerInfo broker(int id, FakeControlService service) throws Exception {
    String name = "channels-test-" + id + "-" + UUID.randomUUID();
    servers.add(
        InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start());
    serverNames.put(id, name);
    return new BrokerInfo(id, "host-" + id, 9000 + id, null, 100 + id);
  }

  private GrpcBrokerChannels channels(long retryBackoffMs, BrokerInfo... live) {
    channels =
        new GrpcBrokerChannels(
            30_000,
            retryBackoffMs,
            b -> InProcessChannelBuilder.forName(serverNames.get(b.id())).directExecutor().build());
    channels.updateLiveBrokers(List.of(live));
    return channels;
  }

  private static UpdateMetadataRequest um(String tag, boolean full) {
    return UpdateMetadataRequest.newBuilder().setClusterId(tag).setFull(full).build();
  }

  private static LeaderAndIsrRequest lai(int tag) {
    return LeaderAndIsrRequest.newBuilder().setControllerId(tag).build();
  }

  private static StopReplicaRequest sr(int tag) {
    return StopReplicaRequest.newBuilder().setControllerId(tag).build();
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  @Test
  void secondRequestIsSentOnlyAfterTheFirstIsAnsweredAndOrderIsKept() throws Exception {
    FakeControlService fake = new FakeControlService();
    CompletableFuture<Void> releaseFirst = new CompletableFuture<>();
    fake.holds.put("UM:first", releaseFirst);
    BrokerInfo b = broker(1, fake);
    channels(50, b);

    var first = channels.updateMetadata(b, um("first", true));
    waitFor(() -> fake.arrivals.contains("UM:first"), "the first UpdateMetadata to arrive");
    var second = channels.updateMetadata(b, um("second", false));
    var lai = channels.leaderAndIsr(b, lai(3));
    var stop = channels.stopReplica(b, sr(4));
    var third = channels.updateMetadata(b, um("third", false));

    // The first is unanswered: nothing behind it may have been sent. With direct executors on
    // both sides an in-process call reaches the fake before the send returns, so a request sent
    // early would already be here.
    assertEquals(List.of("UM:first"), fake.arrivals, "only the first request may be sent");
    assertFalse(second.isDone(), "the second request cannot be answered before it is sent");

    releaseFirst.complete(null);
    assertEquals("answer to first", get(first).getErrorMessage());
    assertEquals("answer to second", get(second).getErrorMessage());
    assertEquals(ErrorCode.NONE, get(lai).getError());
    assertEquals(ErrorCode.NONE, get(stop).getError());
    assertEquals("answer to third", get(third).getErrorMessage());
    assertEquals(
        List.of("UM:first", "UM:second", "LAI:3", "SR:4", "UM:third"),
        fake.arrivals,
        "the broker sees the requests in send order");
  }

  @Test
  void aRetriedRequestKeepsItsPlaceAheadOfLaterOnes() throws Exception {
    FakeControlService fake = new FakeControlService();
    fake.failFirstAttempt.add("UM:first");
    BrokerInfo b = broker(1, fake);
    // A back-off long enough that, were the second sent independently, it would overtake the
    // retry of the first.
    channels(300, b);

    var first = channels.updateMetadata(b, um("first", true));
    var second = channels.updateMetadata(b, um("second", true));
    assertEquals("answer to first", get(first).getErrorMessage());
    assertEquals("answer to second", get(second).getErrorMessage());
    assertEquals(
        List.of("UM:first", "UM:first", "UM:second"),
        fake.arrivals,
        "the failed attempt, its retry, then the second request");
  }

  @Test
  void aSlowBrokerDoesNotHoldUpTheOthers() throws Exception {
    FakeControlService slow = new FakeControlService();
    CompletableFuture<Void> release = new CompletableFuture<>();
    slow.holds.put("UM:held", release);
    FakeControlService fast = new FakeControlService();
    BrokerInfo b1 = broker(1, slow);
    BrokerInfo b2 = broker(2, fast);
    channels(50, b1, b2);

    var held = channels.updateMetadata(b1, um("held", true));
    var behind = channels.leaderAndIsr(b1, lai(1));
    var other = channels.updateMetadata(b2, um("other", true));
    var otherLai = channels.leaderAndIsr(b2, lai(2));
    assertEquals("answer to other", get(other).getErrorMessage());
    assertEquals(ErrorCode.NONE, get(otherLai).getError());
    assertEquals(List.of("UM:other", "LAI:2"), fast.arrivals);
    assertFalse(held.isDone() || behind.isDone(), "broker 1's queue is still waiting");
    assertEquals(List.of("UM:held"), slow.arrivals);

    release.complete(null);
    get(held);
    get(behind);
    assertEquals(List.of("UM:held", "LAI:1"), slow.arrivals);
  }

  @Test
  void waitingUpdateMetadataIsSupersededByALaterFullOne() throws Exception {
    FakeControlService fake = new FakeControlService();
    CompletableFuture<Void> release = new CompletableFuture<>();
    fake.holds.put("UM:inflight", release);
    BrokerInfo b = broker(1, fake);
    channels(50, b);

    var inflight = channels.updateMetadata(b, um("inflight", true));
    var delta = channels.updateMetadata(b, um("delta", false));
    var lai = channels.leaderAndIsr(b, lai(7));
    var olderFull = channels.updateMetadata(b, um("older-full", true));
    var full = channels.updateMetadata(b, um("full", true));
    release.complete(null);

    assertEquals("answer to inflight", get(inflight).getErrorMessage());
    assertEquals("answer to full", get(full).getErrorMessage());
    assertEquals("answer to full", get(delta).getErrorMessage(), "superseded: the full's answer");
    assertEquals("answer to full", get(olderFull).getErrorMessage());
    assertEquals(ErrorCode.NONE, get(lai).getError());
    assertEquals(List.of("UM:inflight", "LAI:7", "UM:full"), fake.arrivals);
  }

  @Test
  void abandonFailsQueuedRequestsAndLaterOnesAreSent() throws Exception {
    FakeControlService fake = new FakeControlService();
    fake.holds.put("UM:stuck", new CompletableFuture<>());
    BrokerInfo b = broker(1, fake);
    channels(50, b);

    var stuck = channels.updateMetadata(b, um("stuck", true));
    var queued = channels.leaderAndIsr(b, lai(1));
    waitFor(() -> fake.arrivals.contains("UM:stuck"), "the first request to arrive");
    channels.abandonAll();
    assertUnreachable(stuck);
    assertUnreachable(queued);

    var next = channels.updateMetadata(b, um("next", true));
    assertEquals("answer to next", get(next).getErrorMessage());
    assertEquals(List.of("UM:stuck", "UM:next"), fake.arrivals, "the abandoned LAI is never sent");
  }

  @Test
  void aBrokerLeavingFailsItsQueue() throws Exception {
    FakeControlService fake = new FakeControlService();
    fake.holds.put("UM:stuck", new CompletableFuture<>());
    BrokerInfo b = broker(1, fake);
    channels(50, b);

    var stuck = channels.updateMetadata(b, um("stuck", true));
    var queued = channels.stopReplica(b, sr(1));
    channels.updateLiveBrokers(List.of());
    assertUnreachable(stuck);
    assertUnreachable(queued);
    assertUnreachable(channels.leaderAndIsr(b, lai(2)));
    assertTrue(fake.arrivals.size() <= 1, "nothing after the stuck request: " + fake.arrivals);
  }

  private static void assertUnreachable(CompletableFuture<?> f) throws Exception {
    try {
      f.get(TIMEOUT_S, TimeUnit.SECONDS);
      fail("expected the request to fail as unreachable");
    } catch (ExecutionException e) {
      assertInstanceOf(BrokerUnreachableException.class, e.getCause());
    }
  }
}
