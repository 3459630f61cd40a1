package io.brook.broker.replica.fetcher;

import io.brook.broker.grpc.NettyTransport;
import io.brook.protocol.AliasingMarshaller;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link LeaderConnection} over gRPC: one plaintext channel to the leader's endpoint; the Replicate
 * stream uses manual inbound flow control (one response asked for at a time) and reports {@code
 * isReady()} / the on-ready handler for outbound flow control. Every callback runs on the executor
 * given at construction (the fetcher's thread; with {@link #factory}, that thread is the channel's
 * event loop and callbacks run inline). This is the only class of the follower side that imports
 * io.grpc (it lives here, not in the grpc package, because the follower part owns only
 * replica/fetcher).
 *
 * <p>Thread-safe: the channel is; a stream's methods are called from the fetcher thread only.
 */
public final class GrpcLeaderConnection implements LeaderConnection {
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final ReplicaServiceGrpc.ReplicaServiceStub stub;
  private final LoopThread loop;

  /** Uses {@code channel} (not closed by {@link #close}, unless {@code ownsChannel}). */
  public GrpcLeaderConnection(ManagedChannel channel, boolean ownsChannel, Executor executor) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.loop = executor instanceof LoopThread l ? l : null;
    this.stub =
        loop != null
            ? ReplicaServiceGrpc.newStub(channel) // the channel's own thread: no hand-off
            : ReplicaServiceGrpc.newStub(channel).withExecutor(executor);
  }

  /**
   * A factory opening a plaintext channel (Netty) to each leader endpoint. Each fetcher's {@link
   * EventThread} is a one-thread Netty event loop that the fetcher's channel does its I/O on too,
   * with callbacks run inline ({@code directExecutor}): a response is read, appended to the log and
   * answered by the next request on one thread, with no hand-off between threads. (Callbacks may
   * then run inside the call that caused them, e.g. a stream that fails as it opens; {@link
   * ReplicaFetcher} allows for that.)
   */
  public static LeaderConnection.Factory factory() {
    return new LeaderConnection.Factory() {
      @Override
      public LeaderConnection connect(BrokerEndpoint leader, Executor callbackExecutor) {
        return new GrpcLeaderConnection(
            channelTo(leader, callbackExecutor), true, callbackExecutor);
      }

      @Override
      public EventThread newEventThread(String name) {
        return new LoopThread(NettyTransport.newEventLoopGroup(1, name));
      }
    };
  }

  static ManagedChannel channelTo(BrokerEndpoint leader, Executor callbackExecutor) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(leader.getHost(), leader.getPort())
            .usePlaintext()
            .flowControlWindow(FLOW_CONTROL_WINDOW)
            // The leader bounds a response by max_bytes, except that the first batch always comes
            // whole: its size is bounded by the topic's max.message.bytes, which this side does
            // not know, so the channel does not limit it.
            .maxInboundMessageSize(Integer.MAX_VALUE);
    if (callbackExecutor instanceof LoopThread l) {
      b.eventLoopGroup(l.group).channelType(NettyTransport.channelType()).directExecutor();
    }
    return b.build();
  }

  /** Replicate, with the records of each response parsed without a copy. */
  private static final MethodDescriptor<ReplicaFetchRequest, ReplicaFetchResponse> REPLICATE =
      AliasingMarshaller.aliasingResponses(
          ReplicaServiceGrpc.getReplicateMethod(), ReplicaFetchResponse.getDefaultInstance());

  /** An {@link EventThread} that is a one-thread Netty event loop group. */
  private static final class LoopThread implements EventThread {
    private final EventLoopGroup group;

    LoopThread(EventLoopGroup group) {
      this.group = group;
    }

    @Override
    public void execute(Runnable task) {
      try {
        group.execute(task);
      } catch (RejectedExecutionException e) {
        // shut down: dropped, as the contract says
      }
    }

    @Override
    public boolean shutdown(long timeoutMs) throws InterruptedException {
      group.shutdownGracefully(0, timeoutMs, TimeUnit.MILLISECONDS);
      return group.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS);
    }

    boolean inLoop() {
      return group.next().inEventLoop();
    }
  }

  /**
   * The HTTP/2 window of the Replicate stream: a whole response of replica.fetch.max.bytes (1 MiB
   * by default) and more fits in it, so a response never waits for a window update. Fixed: gRPC's
   * auto-tuning would send a BDP PING with nearly every response read.
   */
  static final int FLOW_CONTROL_WINDOW = 8 << 20;

  @Override
  public FetchStream openStream(StreamListener listener) {
    StreamCall call = new StreamCall(listener);
    ClientCalls.asyncBidiStreamingCall(
        stub.getChannel().newCall(REPLICATE, stub.getCallOptions()), call);
    return call;
  }

  @Override
  public CompletableFuture<OffsetForLeaderEpochResponse> offsetForLeaderEpoch(
      OffsetForLeaderEpochRequest request, long timeoutMs) {
    CompletableFuture<OffsetForLeaderEpochResponse> f = new CompletableFuture<>();
    try {
      stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
          .offsetForLeaderEpoch(
              request,
              new StreamObserver<>() {
                @Override
                public void onNext(OffsetForLeaderEpochResponse value) {
                  f.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                  f.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  f.completeExceptionally(
                      Status.INTERNAL.withDescription("no response").asRuntimeException());
                }
              });
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public void close() {
    if (ownsChannel) {
      channel.shutdownNow();
      if (loop != null && !loop.inLoop()) {
        try {
          // before the fetcher stops the event loop the channel runs on
          channel.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static final long CLOSE_WAIT_MS = 5_000;

  /** One Replicate call: the response observer and, once started, the request side. */
  private static final class StreamCall
      implements ClientResponseObserver<ReplicaFetchRequest, ReplicaFetchResponse>, FetchStream {
    private final StreamListener listener;
    private ClientCallStreamObserver<ReplicaFetchRequest> requests;

    StreamCall(StreamListener listener) {
      this.listener = listener;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReplicaFetchRequest> requestStream) {
      this.requests = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
      requestStream.setOnReadyHandler(listener::onReady);
    }

    @Override
    public void onNext(ReplicaFetchResponse value) {
      listener.onResponse(value);
    }

    @Override
    public void onError(Throwable t) {
      listener.onClosed(t);
    }

    @Override
    public void onCompleted() {
      listener.onClosed(
          Status.UNAVAILABLE.withDescription("the leader closed the stream").asRuntimeException());
    }

    @Override
    public boolean isReady() {
      return requests.isReady();
    }

    @Override
    public void send(ReplicaFetchRequest request) {
      requests.onNext(request);
    }

    @Override
    public void requestNext() {
      requests.request(1);
    }

    @Override
    public void cancel(String reason) {
      requests.cancel(reason, null);
    }
  }
}
