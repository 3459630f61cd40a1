package io.brook.controller.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.brook.controller.BrokerChannels;
import io.brook.metadata.BrokerInfo;
import io.brook.protocol.v1.BrokerControlServiceGrpc;
import io.brook.protocol.v1.BrokerControlServiceGrpc.BrokerControlServiceFutureStub;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link BrokerChannels} over gRPC: one {@link ManagedChannel} per live broker registration
 * (plaintext, netty-shaded by default; a channel factory can be injected, e.g. in-process for
 * tests), a deadline on every call, and retries with exponential back-off (retry.backoff.ms,
 * doubling, at most 10x) of calls that failed with a transient status (UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED) while the target stays live and the requests are
 * not abandoned.
 *
 * <p>Thread-safe. Invariant: {@code targets} holds exactly the registrations last given to {@link
 * #updateLiveBrokers}, each with an open channel.
 */
public final class GrpcBrokerChannels implements BrokerChannels {
  private static final Logger log = LogManager.getLogger(GrpcBrokerChannels.class);

  private record Target(BrokerInfo broker, ManagedChannel channel) {}

  private final long requestTimeoutMs;
  private final long retryBackoffMs;
  private final Function<BrokerInfo, ManagedChannel> channelFactory;
  private final Map<Integer, Target> targets = new ConcurrentHashMap<>();
  private final ScheduledExecutorService retries;

  /** Bumped by abandonAll; a request of an older generation is not retried. */
  private final AtomicLong generation = new AtomicLong();

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
    Map<Integer, BrokerInfo> wanted = new java.util.HashMap<>();
    liveBrokers.forEach(b -> wanted.put(b.id(), b));
    for (var it = targets.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      BrokerInfo w = wanted.get(e.getKey());
      if (!Objects.equals(w, e.getValue().broker())) {
        it.remove();
        e.getValue().channel().shutdownNow();
      }
    }
    for (BrokerInfo b : liveBrokers) {
      targets.computeIfAbsent(b.id(), id -> new Target(b, channelFactory.apply(b)));
    }
  }

  @Override
  public CompletableFuture<LeaderAndIsrResponse> leaderAndIsr(
      BrokerInfo target, LeaderAndIsrRequest request) {
    return send(target, "LeaderAndIsr", stub -> stub.leaderAndIsr(request));
  }

  @Override
  public CompletableFuture<StopReplicaResponse> stopReplica(
      BrokerInfo target, StopReplicaRequest request) {
    return send(target, "StopReplica", stub -> stub.stopReplica(request));
  }

  @Override
  public CompletableFuture<UpdateMetadataResponse> updateMetadata(
      BrokerInfo target, UpdateMetadataRequest request) {
    return send(target, "UpdateMetadata", stub -> stub.updateMetadata(request));
  }

  @Override
  public void abandonAll() {
    generation.incrementAndGet();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    generation.incrementAndGet();
    retries.shutdownNow();
    targets.values().forEach(t -> t.channel().shutdownNow());
    targets.clear();
  }

  private <T> CompletableFuture<T> send(
      BrokerInfo target,
      String what,
      Function<BrokerControlServiceFutureStub, ListenableFuture<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(target, what, call, result, generation.get(), 0);
    return result;
  }

  private <T> void attempt(
      BrokerInfo target,
      String what,
      Function<BrokerControlServiceFutureStub, ListenableFuture<T>> call,
      CompletableFuture<T> result,
      long gen,
      int attempt) {
    Target t = targets.get(target.id());
    if (closed || gen != generation.get()) {
      result.completeExceptionally(
          new BrokerUnreachableException(what + " to broker " + target.id() + " abandoned"));
      return;
    }
    if (t == null || t.broker().epoch() != target.epoch()) {
      result.completeExceptionally(
          new BrokerUnreachableException(
              "Broker " + target.id() + " (epoch " + target.epoch() + ") is no longer live"));
      return;
    }
    ListenableFuture<T> f;
    try {
      f =
          call.apply(
              BrokerControlServiceGrpc.newFutureStub(t.channel())
                  .withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    Futures.addCallback(
        f,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T response) {
            result.complete(response);
          }

          @Override
          public void onFailure(Throwable error) {
            Status.Code code = Status.fromThrowable(error).getCode();
            boolean transientFailure =
                code == Status.Code.UNAVAILABLE
                    || code == Status.Code.DEADLINE_EXCEEDED
                    || code == Status.Code.RESOURCE_EXHAUSTED
                    || code == Status.Code.ABORTED;
            if (!transientFailure) {
              result.completeExceptionally(error);
              return;
            }
            long delay = retryBackoffMs * Math.min(1L << Math.min(attempt, 4), 10L);
            log.debug(
                "{} to broker {} failed ({}), retrying in {} ms", what, target.id(), code, delay);
            try {
              retries.schedule(
                  () -> attempt(target, what, call, result, gen, attempt + 1),
                  delay,
                  TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
              result.completeExceptionally(
                  new BrokerUnreachableException("channels closed; " + what + " abandoned"));
            }
          }
        },
        MoreExecutors.directExecutor());
  }
}
