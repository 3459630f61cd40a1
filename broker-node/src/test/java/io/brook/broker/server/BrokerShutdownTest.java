package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.LogManager;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.FakeController;
import io.brook.broker.testing.Wait;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop of one real broker while clients hold the calls that never end by themselves: a
 * Produce stream, a follower's Replicate stream and a long-poll fetch. The broker must end the
 * streams itself with UNAVAILABLE ("shutting down"), so clients fail over at once instead of being
 * cancelled when a grace period runs out, answer the long-poll fetch, and still close its logs
 * cleanly.
 */
class BrokerShutdownTest {
  @TempDir Path dir;
  TestingServer zk;
  BrokerServer broker;
  FakeController controller;
  BrokerClient client;
  ManagedChannel replicaChannel;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    broker =
        BrokerServer.startInProcess(
            Map.of(
                "broker.id", "1",
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dir.resolve("logs").toString(),
                "zookeeper.connect", zk.getConnectString() + "/brook",
                "controller.candidate", "false",
                "auto.create.topics.enable", "false",
                // No real controller to move leadership with at close (a FakeController).
                "controlled.shutdown.enable", "false"));
    controller = new FakeController(broker, 99, 1);
    client = new BrokerClient(broker.boundPort());
    replicaChannel =
        ManagedChannelBuilder.forAddress("127.0.0.1", broker.boundPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (replicaChannel != null) {
      replicaChannel.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  /** A follower's Replicate stream, as the replica fetcher opens it. */
  static final class ReplicateCall implements StreamObserver<ReplicaFetchResponse> {
    final LinkedBlockingQueue<ReplicaFetchResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    @Override
    public void onNext(ReplicaFetchResponse r) {
      responses.add(r);
    }

    @Override
    public void onError(Throwable t) {
      closed.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      closed.complete(null);
    }
  }

  private static ReplicaFetchRequest replicaFetch(long requestId, int maxWaitMs) {
    return ReplicaFetchRequest.newBuilder()
        .setReplicaId(2)
        .setBrokerEpoch(-1)
        .setRequestId(requestId)
        .setMaxWaitMs(maxWaitMs)
        .setMinBytes(1)
        .build();
  }

  private static Status statusOf(CompletableFuture<?> closed) throws Exception {
    try {
      closed.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus();
    }
    throw new AssertionError("the stream completed normally; expected UNAVAILABLE");
  }

  private static void assertEndedByShutdown(String stream, Status s) {
    assertEquals(
        Status.Code.UNAVAILABLE, s.getCode(), stream + " should end with UNAVAILABLE, saw " + s);
    assertTrue(
        s.getDescription() != null && s.getDescription().contains("shutting down"),
        stream + " should say the broker is shutting down, saw " + s);
  }

  @Test
  void closeEndsOpenStreamsWithUnavailableAndAnswersLongPollFetches() throws Exception {
    controller.createTopic("orders", 1, Map.of());
    BrokerClient.ProduceStream produce = client.openProduce();
    produce.send(BrokerClient.produceRequest(1, 1, "orders", 0, Batches.of(3, 1)));
    assertEquals(ErrorCode.NONE, produce.next().getTopics(0).getPartitions(0).getError());

    // Broker 2 following: one answered request proves the stream open, the next one waits.
    ReplicateCall replicate = new ReplicateCall();
    StreamObserver<ReplicaFetchRequest> replicateRequests =
        ReplicaServiceGrpc.newStub(replicaChannel).replicate(replicate);
    replicateRequests.onNext(replicaFetch(1, 0));
    assertTrue(
        replicate.responses.poll(30, TimeUnit.SECONDS) != null,
        "an answer to the first Replicate request");
    replicateRequests.onNext(replicaFetch(2, 60_000));

    // A consumer waiting at the log end for data that will not come.
    CompletableFuture<FetchResponse> longPoll = new CompletableFuture<>();
    client.async.fetch(
        BrokerClient.fetchRequest("orders", 0, 3, 60_000, 1, -1),
        new StreamObserver<>() {
          @Override
          public void onNext(FetchResponse r) {
            longPoll.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            longPoll.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    Wait.until(
        "the long-poll fetch waiting in the broker",
        Duration.ofSeconds(30),
        () -> broker.replicaManager().waitingFetches() == 1);

    broker.close();

    assertEndedByShutdown("the Produce stream", statusOf(produce.closed));
    assertEndedByShutdown("the Replicate stream", statusOf(replicate.closed));
    FetchResponse fetched = longPoll.get(30, TimeUnit.SECONDS);
    assertEquals(0, fetched.getTopics(0).getPartitions(0).getRecords().size(), "no records");
    assertTrue(
        Files.exists(dir.resolve("logs").resolve(LogManager.CLEAN_SHUTDOWN_FILE)),
        "the logs were closed cleanly (clean-shutdown marker written)");
    assertFalse(broker.isRunning());
  }
}
