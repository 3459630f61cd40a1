package io.brook.broker.replica;

import io.brook.common.Scheduler;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Delayed operations watched by key (a partition): {@link #checkAndComplete(Object)} is called when
 * something about a key changed (an append, a high-watermark move, a leader change) and completes
 * the operations whose condition now holds; a timer completes the others at their timeout.
 *
 * <p>Invariants: an operation is completed exactly once (see {@link DelayedOperation}); an
 * operation watched under a key is either completed or will be checked at the next event of that
 * key, because it is checked once more after being added to the watch lists. Completed operations
 * are removed from watch lists lazily (on the key's next event, or by a purge every {@code
 * purgeInterval} watches). Thread-safe: every method may be called from any thread.
 *
 * @param <K> the key type
 */
public final class DelayedOperationPurgatory<K> implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(DelayedOperationPurgatory.class);
  private static final int PURGE_INTERVAL = 1000;

  private final String name;
  private final Scheduler scheduler;
  private final Map<K, Queue<DelayedOperation>> watchers = new ConcurrentHashMap<>();
  private final AtomicInteger watchesSincePurge = new AtomicInteger();
  private volatile boolean closed;

  public DelayedOperationPurgatory(String name, Scheduler scheduler) {
    this.name = name;
    this.scheduler = scheduler;
  }

  /**
   * Completes {@code op} now if its condition holds; otherwise watches it under {@code keys} and
   * arms its timeout. Returns true when it completed during this call.
   */
  public boolean tryCompleteElseWatch(DelayedOperation op, List<K> keys) {
    if (op.tryComplete()) {
      return true;
    }
    if (closed) {
      op.forceComplete();
      return true;
    }
    for (K key : keys) {
      watchers.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(op);
    }
    // An event may have happened between the first check and the watch.
    if (op.tryComplete()) {
      return true;
    }
    op.setTimer(scheduler.schedule(name + "-expiry", op::expire, op.timeoutMs(), 0));
    if (watchesSincePurge.incrementAndGet() >= PURGE_INTERVAL) {
      watchesSincePurge.set(0);
      purgeCompleted();
    }
    return false;
  }

  /** Checks the operations watched under {@code key}; returns how many completed. */
  public int checkAndComplete(K key) {
    Queue<DelayedOperation> ops = watchers.get(key);
    if (ops == null || ops.isEmpty()) {
      return 0;
    }
    int done = 0;
    for (Iterator<DelayedOperation> it = ops.iterator(); it.hasNext(); ) {
      DelayedOperation op = it.next();
      if (op.isCompleted()) {
        it.remove();
      } else {
        try {
          if (op.tryComplete()) {
            done++;
            it.remove();
          }
        } catch (RuntimeException e) {
          log.error("Delayed operation in {} failed; completing it", name, e);
          op.forceComplete();
          it.remove();
        }
      }
    }
    return done;
  }

  /** Completes every watched operation of {@code key} now (e.g. leadership moved away). */
  public void completeAll(K key) {
    Queue<DelayedOperation> ops = watchers.remove(key);
    if (ops != null) {
      ops.forEach(DelayedOperation::forceComplete);
    }
  }

  /** Number of watched operations not completed yet (for tests and metrics). */
  public int watched() {
    int n = 0;
    for (Queue<DelayedOperation> q : watchers.values()) {
      for (DelayedOperation op : q) {
        if (!op.isCompleted()) {
          n++;
        }
      }
    }
    return n;
  }

  private void purgeCompleted() {
    // Empty lists stay: keys are partitions (a bounded set), and removing a list here could race
    // with a concurrent watch being added to it.
    for (Queue<DelayedOperation> q : watchers.values()) {
      q.removeIf(DelayedOperation::isCompleted);
    }
  }

  /** Completes every pending operation (their completion sees the broker shutting down). */
  @Override
  public void close() {
    closed = true;
    for (K key : List.copyOf(watchers.keySet())) {
      completeAll(key);
    }
  }
}
