package io.brook.broker.replica;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request that waits for a condition (the high watermark passing a batch, enough bytes to fetch)
 * or a timeout, whichever comes first: a future, not a blocked thread.
 *
 * <p>Invariant: {@link #onComplete()} runs exactly once, on the thread that wins {@link
 * #forceComplete()} (an append thread, a request thread, or the purgatory's timer). {@link
 * #tryComplete()} may run concurrently on several threads; it only reads state and calls {@link
 * #forceComplete()} when the condition holds.
 */
public abstract class DelayedOperation {
  private final AtomicBoolean completed = new AtomicBoolean();
  private final long timeoutMs;
  private volatile ScheduledFuture<?> timer;

  protected DelayedOperation(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  public long timeoutMs() {
    return timeoutMs;
  }

  /** Checks the condition; when it holds, calls {@link #forceComplete()} and returns its result. */
  protected abstract boolean tryComplete();

  /** Builds and sends the answer. Called exactly once. */
  protected abstract void onComplete();

  /** Called (before {@link #onComplete()}) when the operation completes by its timeout. */
  protected void onExpiration() {}

  /** Completes the operation unless it already is; true when this call completed it. */
  public final boolean forceComplete() {
    if (!completed.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    onComplete();
    return true;
  }

  public final boolean isCompleted() {
    return completed.get();
  }

  final void expire() {
    if (!isCompleted()) {
      onExpiration();
      forceComplete();
    }
  }

  final void setTimer(ScheduledFuture<?> timer) {
    this.timer = timer;
    if (isCompleted()) {
      timer.cancel(false);
    }
  }
}
