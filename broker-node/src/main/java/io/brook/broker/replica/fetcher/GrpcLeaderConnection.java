package io.brook.broker.replica.fetcher;

import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@link LeaderConnection} over gRPC: one plaintext channel to the leader's endpoint; the Replicate
 * stream uses manual inbound flow control (one response asked for at a time) and reports {@code
 * isReady()} / the on-ready handler for outbound flow control. Every callback runs on the executor
 * given at construction (the fetcher's thread). This is the only class of the follower side that
 * imports io.grpc (it lives here, not in the grpc package, because the follower part owns only
 * replica/fetcher).
 *
 * <p>Thread-safe: the channel is; a stream's methods are called from the fetcher thread only.
 */
public final class GrpcLeaderConnection implements LeaderConnection {
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final ReplicaServiceGrpc.ReplicaServiceStub stub;

  /** Uses {@code channel} (not closed by {@link #close}, unless {@code ownsChannel}). */
  public GrpcLeaderConnection(ManagedChannel channel, boolean ownsChannel, Executor executor) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.stub = ReplicaServiceGrpc.newStub(channel).withExecutor(executor);
  }

  /**
   * A factory opening a plaintext channel (Netty) to each leader endpoint. Fetchers keep their own
   * plain thread (see {@link EventThread} for why not the channel's event loop).
   */
  public static LeaderConnection.Factory factory() {
    return (leader, executor) -> new GrpcLeaderConnection(channelTo(leader), true, executor);
  }

  static ManagedChannel channelTo(BrokerEndpoint leader) {
    return NettyChannelBuilder.forAddress(leader.getHost(), leader.getPort())
        .usePlaintext()
        .flowControlWindow(FLOW_CONTROL_WINDOW)
        // The leader bounds a response by max_bytes, except that the first batch always comes
        // whole: its size is bounded by the topic's max.message.bytes, which this side does not
        // know, so the channel does not limit it.
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .build();
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
    stub.replicate(call);
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
    }
  }

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
