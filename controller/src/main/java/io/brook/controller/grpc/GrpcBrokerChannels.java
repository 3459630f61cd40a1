package io.brook.controller.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import io.brook.controller.BrokerChannels;
import io.brook.controller.grpc.BrokerRequestQueue.Kind;
import io.brook.metadata.BrokerInfo;
import io.brook.protocol.v1.BrokerControlServiceGrpc.BrokerControlServiceFutureStub;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * {@link BrokerChannels} over gRPC: one {@link ManagedChannel} and one ordered {@link
 * BrokerRequestQueue} per live broker registration (plaintext, netty-shaded by default; a channel
 * factory can be injected, e.g. in-process for tests), a deadline on every call, and retries with
 * exponential back-off (retry.backoff.ms, doubling, at most 10x) of calls that failed with a
 * transient status (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED) while the target
 * stays live and the requests are not abandoned.
 *
 * <p>Ordering: requests to one broker reach it one at a time in the order they were given to this
 * object (a retried request keeps its place at the head); requests to different brokers are
 * independent, so a slow broker holds up only its own queue. Queued UpdateMetadata requests are
 * superseded by a later full one (see {@link BrokerRequestQueue}).
 *
 * <p>Thread-safe. Invariant: {@code targets} holds exactly the registrations last given to {@link
 * #updateLiveBrokers}, each with an open channel and an open queue; a registration removed from it
 * has its queue closed (its requests failed) and its channel shut down.
 */
public final class GrpcBrokerChannels implements BrokerChannels {
  private record Target(BrokerInfo broker, ManagedChannel channel, BrokerRequestQueue queue) {}

  private final long requestTimeoutMs;
  private final long retryBackoffMs;
  private final Function<BrokerInfo, ManagedChannel> channelFactory;
  private final Map<Integer, Target> targets = new ConcurrentHashMap<>();
  private final ScheduledExecutorService retries;

  private volatile boolean closed;

  public GrpcBrokerChannels(long requestTimeoutMs, long retryBackoffMs) {
    this(
        requestTimeoutMs,
        retryBackoffMs,
        b -> ManagedChannelBuilder.forAddress(b.host(), b.port()).usePlaintext().build());
  }

  public GrpcBrokerChannels(
      long requestTimeoutMs,
      long retryBackoffMs,
      Function<BrokerInfo, ManagedChannel> channelFactory) {
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
    this.channelFactory = channelFactory;
    this.retries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "controller-channel-retries");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public synchronized void updateLiveBrokers(Collection<BrokerInfo> liveBrokers) {
    if (closed) {
      return;
    }
    Map<Integer, BrokerInfo> wanted = new HashMap<>();
    liveBrokers.forEach(b -> wanted.put(b.id(), b));
    for (var it = targets.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      BrokerInfo w = wanted.get(e.getKey());
      if (!Objects.equals(w, e.getValue().broker())) {
        it.remove();
        close(e.getValue());
      }
    }
    for (BrokerInfo b : liveBrokers) {
      targets.computeIfAbsent(
          b.id(),
          id -> {
            ManagedChannel channel = channelFactory.apply(b);
            return new Target(
                b,
                channel,
                new BrokerRequestQueue(b, channel, retries, requestTimeoutMs, retryBackoffMs));
          });
    }
  }

  @Override
  public CompletableFuture<LeaderAndIsrResponse> leaderAndIsr(
      BrokerInfo target, LeaderAndIsrRequest request) {
    return send(target, "LeaderAndIsr", Kind.LEADER_AND_ISR, stub -> stub.leaderAndIsr(request));
  }

  @Override
  public CompletableFuture<StopReplicaResponse> stopReplica(
      BrokerInfo target, StopReplicaRequest request) {
    return send(target, "StopReplica", Kind.STOP_REPLICA, stub -> stub.stopReplica(request));
  }

  @Override
  public CompletableFuture<UpdateMetadataResponse> updateMetadata(
      BrokerInfo target, UpdateMetadataRequest request) {
    return send(
        target,
        request.getFull() ? "UpdateMetadata(full)" : "UpdateMetadata",
        request.getFull() ? Kind.FULL_UPDATE_METADATA : Kind.UPDATE_METADATA,
        stub -> stub.updateMetadata(request));
  }

  @Override
  public void abandonAll() {
    targets.values().forEach(t -> t.queue().abandonAll());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    retries.shutdownNow();
    targets.values().forEach(GrpcBrokerChannels::close);
    targets.clear();
  }

  private static void close(Target t) {
    t.queue().close();
    t.channel().shutdownNow();
  }

  private <T> CompletableFuture<T> send(
      BrokerInfo target,
      String what,
      Kind kind,
      Function<BrokerControlServiceFutureStub, ListenableFuture<T>> call) {
    Target t = targets.get(target.id());
    if (closed) {
      return CompletableFuture.failedFuture(
          new BrokerUnreachableException("channels closed; " + what + " abandoned"));
    }
    if (t == null || t.broker().epoch() != target.epoch()) {
      return CompletableFuture.failedFuture(
          new BrokerUnreachableException(
              "Broker " + target.id() + " (epoch " + target.epoch() + ") is no longer live"));
    }
    // A queue closed concurrently fails the request itself.
    return t.queue().enqueue(new BrokerRequestQueue.Request<>(what, kind, call));
  }
}
