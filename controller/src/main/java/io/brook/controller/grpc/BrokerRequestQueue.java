package io.brook.controller.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.brook.controller.BrokerChannels.BrokerUnreachableException;
import io.brook.metadata.BrokerInfo;
import io.brook.protocol.v1.BrokerControlServiceGrpc;
import io.brook.protocol.v1.BrokerControlServiceGrpc.BrokerControlServiceFutureStub;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The ordered queue of control requests to one broker registration (id and epoch), as Kafka's
 * ControllerChannelManager keeps one per broker: requests are sent one at a time, in the order they
 * were enqueued, and the next one is sent only once the previous one was answered or abandoned.
 * Without this, two requests issued as independent async calls (say the full UpdateMetadata sent on
 * becoming controller and the full one sent when a broker joins) can reach the broker in either
 * order, and the broker keeps whichever arrives last.
 *
 * <p>A call that fails with a transient status (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * ABORTED) is retried with back-off (retry.backoff.ms, doubling, at most 10x) and keeps its place
 * at the head: nothing behind it is sent meanwhile. Any other failure completes the request
 * exceptionally and the queue moves on.
 *
 * <p>Coalescing: a full UpdateMetadata replaces the broker's whole metadata cache, so when one is
 * enqueued, the UpdateMetadata requests still waiting (not the one in flight) are dropped; each
 * dropped request's future completes with the outcome of the full one that superseded it.
 *
 * <p>Thread-safe. Invariants (guarded by {@code this}): at most one request is at the head (in
 * flight or waiting for its retry) at any time; {@code waiting} holds the rest in enqueue order;
 * once {@code closed}, both are empty and every new request fails at once. A request's future is
 * completed only after it left the head (or was dropped), always outside the lock.
 */
final class BrokerRequestQueue {
  private static final Logger log = LogManager.getLogger(BrokerRequestQueue.class);

  /** What a request is, for coalescing. */
  enum Kind {
    LEADER_AND_ISR,
    STOP_REPLICA,
    UPDATE_METADATA,
    FULL_UPDATE_METADATA
  }

  /** One request and its caller's future. Mutable fields are guarded by the queue's lock. */
  static final class Request<T> {
    final String what;
    final Kind kind;
    final Function<BrokerControlServiceFutureStub, ListenableFuture<T>> call;
    final CompletableFuture<T> result = new CompletableFuture<>();
    int attempts;
    Future<?> inFlight;

    Request(
        String what,
        Kind kind,
        Function<BrokerControlServiceFutureStub, ListenableFuture<T>> call) {
      this.what = what;
      this.kind = kind;
      this.call = call;
    }

    boolean isUpdateMetadata() {
      return kind == Kind.UPDATE_METADATA || kind == Kind.FULL_UPDATE_METADATA;
    }
  }

  private final BrokerInfo broker;
  private final ManagedChannel channel;
  private final ScheduledExecutorService retries;
  private final long requestTimeoutMs;
  private final long retryBackoffMs;

  // @GuardedBy("this")
  private final ArrayDeque<Request<?>> waiting = new ArrayDeque<>();

  // @GuardedBy("this"): the request in flight or waiting for its retry; null when idle.
  private Request<?> head;

  // @GuardedBy("this")
  private boolean closed;

  BrokerRequestQueue(
      BrokerInfo broker,
      ManagedChannel channel,
      ScheduledExecutorService retries,
      long requestTimeoutMs,
      long retryBackoffMs) {
    this.broker = broker;
    this.channel = channel;
    this.retries = retries;
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
  }

  BrokerInfo broker() {
    return broker;
  }

  /** Queues {@code r} behind every request enqueued before it; sends it when it is its turn. */
  <T> CompletableFuture<T> enqueue(Request<T> r) {
    List<Request<?>> superseded = new ArrayList<>();
    boolean accepted;
    synchronized (this) {
      accepted = !closed;
      if (accepted) {
        if (r.kind == Kind.FULL_UPDATE_METADATA) {
          for (Iterator<Request<?>> it = waiting.iterator(); it.hasNext(); ) {
            Request<?> w = it.next();
            if (w.isUpdateMetadata()) {
              it.remove();
              superseded.add(w);
            }
          }
        }
        waiting.addLast(r);
      }
    }
    if (!superseded.isEmpty()) {
      log.debug(
          "{} older UpdateMetadata request(s) to broker {} superseded by a full one",
          superseded.size(),
          broker.id());
      @SuppressWarnings("unchecked")
      CompletableFuture<UpdateMetadataResponse> full =
          (CompletableFuture<UpdateMetadataResponse>) r.result;
      for (Request<?> s : superseded) {
        @SuppressWarnings("unchecked")
        CompletableFuture<UpdateMetadataResponse> older =
            (CompletableFuture<UpdateMetadataResponse>) s.result;
        full.whenComplete(
            (resp, err) -> {
              if (err != null) {
                older.completeExceptionally(err);
              } else {
                older.complete(resp);
              }
            });
      }
    }
    if (accepted) {
      sendNext();
    } else {
      r.result.completeExceptionally(unreachable());
    }
    return r.result;
  }

  /** Fails the waiting and in-flight requests; the queue stays usable for new ones. */
  void abandonAll() {
    drain(
        false,
        r -> new BrokerUnreachableException(r.what + " to broker " + broker.id() + " abandoned"));
  }

  /** Fails every request and refuses new ones: the broker left or its registration changed. */
  void close() {
    drain(true, r -> unreachable());
  }

  private BrokerUnreachableException unreachable() {
    return new BrokerUnreachableException(
        "Broker " + broker.id() + " (epoch " + broker.epoch() + ") is no longer live");
  }

  private void drain(boolean close, Function<Request<?>, RuntimeException> why) {
    List<Request<?>> dropped = new ArrayList<>();
    synchronized (this) {
      closed |= close;
      if (head != null) {
        dropped.add(head);
        head = null;
      }
      dropped.addAll(waiting);
      waiting.clear();
    }
    for (Request<?> r : dropped) {
      Future<?> f;
      synchronized (this) {
        f = r.inFlight;
      }
      if (f != null) {
        f.cancel(true);
      }
      r.result.completeExceptionally(why.apply(r));
    }
  }

  /** Moves the next waiting request to the head and sends it, unless one is already there. */
  private void sendNext() {
    Request<?> next;
    synchronized (this) {
      if (closed || head != null || waiting.isEmpty()) {
        return;
      }
      next = waiting.pollFirst();
      head = next;
    }
    attempt(next);
  }

  private <T> void attempt(Request<T> r) {
    ListenableFuture<T> f;
    synchronized (this) {
      if (head != r) {
        return; // abandoned while waiting for a retry
      }
      try {
        f =
            r.call.apply(
                BrokerControlServiceGrpc.newFutureStub(channel)
                    .withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS));
      } catch (RuntimeException e) {
        f = Futures.immediateFailedFuture(e);
      }
      r.inFlight = f;
    }
    Futures.addCallback(
        f,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T response) {
            finish(r, response, null);
          }

          @Override
          public void onFailure(Throwable error) {
            Status.Code code = Status.fromThrowable(error).getCode();
            boolean transientFailure =
                code == Status.Code.UNAVAILABLE
                    || code == Status.Code.DEADLINE_EXCEEDED
                    || code == Status.Code.RESOURCE_EXHAUSTED
                    || code == Status.Code.ABORTED;
            if (transientFailure) {
              retryLater(r, code);
            } else {
              finish(r, null, error);
            }
          }
        },
        MoreExecutors.directExecutor());
  }

  private <T> void retryLater(Request<T> r, Status.Code code) {
    synchronized (this) {
      if (head != r) {
        return; // abandoned; its future was already failed
      }
      long delay = retryBackoffMs * Math.min(1L << Math.min(r.attempts, 4), 10L);
      r.attempts++;
      log.debug("{} to broker {} failed ({}), retrying in {} ms", r.what, broker.id(), code, delay);
      try {
        r.inFlight = retries.schedule(() -> attempt(r), delay, TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException e) {
        // The channels are closing; fall through and fail the request.
      }
    }
    finish(r, null, new BrokerUnreachableException("channels closed; " + r.what + " abandoned"));
  }

  /** Completes the head request and sends the next one. */
  private <T> void finish(Request<T> r, T response, Throwable error) {
    synchronized (this) {
      if (head != r) {
        return; // abandoned; its future was already failed
      }
      head = null;
      r.inFlight = null;
    }
    if (error != null) {
      r.result.completeExceptionally(error);
    } else {
      r.result.complete(response);
    }
    sendNext();
  }
}
