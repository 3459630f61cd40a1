package io.brook.broker.replica.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocalThread;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GrpcLeaderConnection#factory()}: a fetcher's event thread is the Netty event loop its
 * connection does I/O on, and responses are delivered on it directly (no hand-off to another
 * thread). Real Netty over loopback.
 */
class GrpcLeaderConnectionThreadTest {
  private Server leader;

  @BeforeEach
  void startLeader() throws Exception {
    leader =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new ReplicaServiceGrpc.ReplicaServiceImplBase() {
                  @Override
                  public StreamObserver<ReplicaFetchRequest> replicate(
                      StreamObserver<ReplicaFetchResponse> out) {
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(ReplicaFetchRequest r) {
                        out.onNext(
                            ReplicaFetchResponse.newBuilder()
                                .setRequestId(r.getRequestId())
                                .build());
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        out.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
  }

  @AfterEach
  void stopLeader() throws Exception {
    leader.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void responsesArriveOnTheFetchersOwnEventLoop() throws Exception {
    LeaderConnection.Factory factory = GrpcLeaderConnection.factory();
    EventThread thread = factory.newEventThread("fetcher-under-test");
    LeaderConnection connection =
        factory.connect(
            BrokerEndpoint.newBuilder().setHost("127.0.0.1").setPort(leader.getPort()).build(),
            thread);
    LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    try {
      LeaderConnection.FetchStream[] stream = new LeaderConnection.FetchStream[1];
      thread.execute(
          () ->
              stream[0] =
                  connection.openStream(
                      new LeaderConnection.StreamListener() {
                        @Override
                        public void onReady() {}

                        @Override
                        public void onResponse(ReplicaFetchResponse response) {
                          events.add(Thread.currentThread());
                          events.add(response);
                        }

                        @Override
                        public void onClosed(Throwable cause) {
                          events.add(cause);
                        }
                      }));
      thread.execute(
          () -> stream[0].send(ReplicaFetchRequest.newBuilder().setRequestId(42).build()));

      Object first = events.poll(30, TimeUnit.SECONDS);
      assertTrue(first instanceof Thread, "a response, not " + first);
      Thread t = (Thread) first;
      assertTrue(t.getName().startsWith("fetcher-under-test"), t.getName());
      assertTrue(t instanceof FastThreadLocalThread, "a Netty event loop thread: " + t);
      assertEquals(42, ((ReplicaFetchResponse) events.poll(30, TimeUnit.SECONDS)).getRequestId());
      thread.execute(() -> stream[0].cancel("done"));
    } finally {
      connection.close();
      assertTrue(thread.shutdown(10_000), "the event thread stops");
    }
    // tasks after shutdown are dropped, not thrown
    thread.execute(() -> events.add("late"));
  }
}
