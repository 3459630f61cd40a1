package io.brook.broker.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread handles which call ({@link BrokerGrpcServer#INLINE_METHODS}): the hot path (Produce,
 * Fetch) on the network event loop that read it, with no hand-off, everything else on the request
 * executor, so that a slow call never holds an event loop. Real Netty server over loopback.
 */
class BrokerGrpcServerThreadsTest {
  /** Answers at once, recording the thread each call ran on. */
  static final class ThreadRecordingApi extends UnsupportedBrokerApi {
    final Map<String, String> threads = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<MetadataResponse> metadata(MetadataRequest request) {
      threads.put("metadata", Thread.currentThread().getName());
      return CompletableFuture.completedFuture(MetadataResponse.getDefaultInstance());
    }

    @Override
    public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
      threads.put("produce", Thread.currentThread().getName());
      return CompletableFuture.completedFuture(
          ProduceResponse.newBuilder().setRequestId(request.getRequestId()).build());
    }

    @Override
    public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
      threads.put("fetch", Thread.currentThread().getName());
      return CompletableFuture.completedFuture(FetchResponse.getDefaultInstance());
    }
  }

  private final ThreadRecordingApi api = new ThreadRecordingApi();
  private ExecutorService requestThreads;
  private BrokerGrpcServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    requestThreads = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-request"));
    server =
        BrokerGrpcServer.start("127.0.0.1", 0, 1 << 20, 2, requestThreads, api, null, null, null);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.close();
    requestThreads.shutdownNow();
  }

  @Test
  void hotCallsRunOnTheNetworkThreadOthersOnTheRequestExecutor() throws Exception {
    BrokerServiceGrpc.BrokerServiceBlockingStub blocking =
        BrokerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    blocking.metadata(MetadataRequest.getDefaultInstance());
    blocking.fetch(FetchRequest.getDefaultInstance());

    LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    StreamObserver<ProduceRequest> produce =
        BrokerServiceGrpc.newStub(channel)
            .produce(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ProduceResponse r) {
                    answers.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answers.add(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    produce.onNext(ProduceRequest.newBuilder().setRequestId(7).setAcks(1).build());
    Object answer = answers.poll(30, TimeUnit.SECONDS);
    assertTrue(answer instanceof ProduceResponse, "produce answered: " + answer);
    assertEquals(7, ((ProduceResponse) answer).getRequestId());
    produce.onCompleted();

    assertEquals("test-request", api.threads.get("metadata"));
    assertTrue(api.threads.get("fetch").startsWith("brook-network"), api.threads.toString());
    assertTrue(api.threads.get("produce").startsWith("brook-network"), api.threads.toString());
  }
}
