package io.brook.broker.server;

import io.brook.common.Scheduler;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Hands out producer ids from blocks that the controller allocates (Kafka's RPCProducerIdManager,
 * KIP-730): one id per InitProducerId, never the same twice in the cluster. When 90% of the current
 * block is used, the next block is fetched ahead; callers wait only when both are used up.
 *
 * <p>Invariants: {@code next <= end}; at most one AllocateProducerIds request in flight; waiters
 * are served in arrival order. A failed request is retried after {@code retryBackoffMs} while
 * someone waits; each waiter fails with {@link ProducerIdsUnavailableException} after {@code
 * maxWaitMs} (BROKER_NOT_AVAILABLE to the client, which retries).
 *
 * <p>Thread-safe: all state is guarded by {@code this}; futures are completed outside the lock.
 */
public final class ProducerIdManager {
  private static final Logger log = LogManager.getLogger(ProducerIdManager.class);

  /** Thrown (through the future) when no id could be obtained in time. */
  public static final class ProducerIdsUnavailableException extends RuntimeException {
    public ProducerIdsUnavailableException(String message) {
      super(message);
    }
  }

  private record Block(long start, long end) {} // end exclusive

  private final int brokerId;
  private final LongSupplier brokerEpoch;
  private final Function<AllocateProducerIdsRequest, CompletableFuture<AllocateProducerIdsResponse>>
      allocator;
  private final Scheduler scheduler;
  private final long maxWaitMs;
  private final long retryBackoffMs;

  private long blockStart;
  private long next;
  private long end; // exclusive; next == end: nothing left in the current block
  private Block prefetched;
  private boolean inFlight;
  private boolean closed;
  private final Deque<CompletableFuture<Long>> waiters = new ArrayDeque<>();

  /**
   * @param allocator sends AllocateProducerIds to the active controller (the AdminForwarder)
   */
  public ProducerIdManager(
      int brokerId,
      LongSupplier brokerEpoch,
      Function<AllocateProducerIdsRequest, CompletableFuture<AllocateProducerIdsResponse>>
          allocator,
      Scheduler scheduler,
      long maxWaitMs,
      long retryBackoffMs) {
    this.brokerId = brokerId;
    this.brokerEpoch = brokerEpoch;
    this.allocator = allocator;
    this.scheduler = scheduler;
    this.maxWaitMs = maxWaitMs;
    this.retryBackoffMs = retryBackoffMs;
  }

  /** The next producer id; waits (at most maxWaitMs) when no block is available yet. */
  public CompletableFuture<Long> generateProducerId() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    boolean send;
    synchronized (this) {
      if (closed) {
        f.completeExceptionally(new ProducerIdsUnavailableException("The broker is shutting down"));
        return f;
      }
      Long id = takeLocked();
      if (id != null) {
        f.complete(id);
        send = prefetchNeededLocked();
      } else {
        waiters.add(f);
        send = !inFlight;
        if (send) {
          inFlight = true;
        }
      }
    }
    if (send) {
      request();
    }
    if (!f.isDone()) {
      scheduleTimeout(f);
    }
    return f;
  }

  /** Fails every waiter; later calls fail at once. */
  public void close() {
    Deque<CompletableFuture<Long>> failed;
    synchronized (this) {
      closed = true;
      failed = new ArrayDeque<>(waiters);
      waiters.clear();
    }
    failed.forEach(
        f ->
            f.completeExceptionally(
                new ProducerIdsUnavailableException("The broker is shutting down")));
  }

  /** An id from the current block (moving to the prefetched one when it is used up); or null. */
  private Long takeLocked() {
    if (next == end && prefetched != null) {
      blockStart = prefetched.start();
      next = prefetched.start();
      end = prefetched.end();
      prefetched = null;
    }
    if (next < end) {
      return next++;
    }
    return null;
  }

  /** Whether to ask for the next block now (90% of this one used); marks it in flight. */
  private boolean prefetchNeededLocked() {
    if (inFlight || prefetched != null) {
      return false;
    }
    long len = end - blockStart;
    if (next - blockStart >= len * 9 / 10) {
      inFlight = true;
      return true;
    }
    return false;
  }

  private void request() {
    AllocateProducerIdsRequest req =
        AllocateProducerIdsRequest.newBuilder()
            .setBrokerId(brokerId)
            .setBrokerEpoch(brokerEpoch.getAsLong())
            .build();
    CompletableFuture<AllocateProducerIdsResponse> call;
    try {
      call = allocator.apply(req);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete(this::onResponse);
  }

  private void onResponse(AllocateProducerIdsResponse r, Throwable e) {
    Deque<CompletableFuture<Long>> served = new ArrayDeque<>();
    Deque<Long> ids = new ArrayDeque<>();
    boolean retry = false;
    boolean sendNow = false;
    synchronized (this) {
      inFlight = false;
      if (e == null && r.getError() == ErrorCode.NONE && r.getProducerIdLen() > 0) {
        Block b = new Block(r.getProducerIdStart(), r.getProducerIdStart() + r.getProducerIdLen());
        log.info("Broker {} got producer ids [{}, {})", brokerId, b.start(), b.end());
        if (next == end) {
          blockStart = b.start();
          next = b.start();
          end = b.end();
        } else {
          prefetched = b;
        }
        while (!waiters.isEmpty()) {
          Long id = takeLocked();
          if (id == null) {
            break;
          }
          served.add(waiters.poll());
          ids.add(id);
        }
        if (!closed && !waiters.isEmpty()) {
          inFlight = true;
          sendNow = true;
        } else if (!closed) {
          sendNow = prefetchNeededLocked();
        }
      } else {
        String why = e != null ? e.toString() : r.getError() + " " + r.getErrorMessage();
        log.warn("Broker {} could not get producer ids: {}", brokerId, why);
        if (!closed && !waiters.isEmpty()) {
          inFlight = true;
          retry = true;
        }
      }
    }
    while (!served.isEmpty()) {
      served.poll().complete(ids.poll());
    }
    if (sendNow) {
      request();
    } else if (retry) {
      try {
        scheduler.schedule("producer-id-block-retry", this::request, retryBackoffMs, 0);
      } catch (RejectedExecutionException ex) {
        synchronized (this) {
          inFlight = false;
        }
      }
    }
  }

  private void scheduleTimeout(CompletableFuture<Long> f) {
    try {
      scheduler.schedule(
          "producer-id-wait-timeout",
          () -> {
            boolean removed;
            synchronized (this) {
              removed = waiters.remove(f);
            }
            if (removed) {
              f.completeExceptionally(
                  new ProducerIdsUnavailableException(
                      "No block of producer ids could be obtained from the controller within "
                          + maxWaitMs
                          + " ms"));
            }
          },
          maxWaitMs,
          0);
    } catch (RejectedExecutionException e) {
      // shutting down: close() fails the waiters
    }
  }
}
