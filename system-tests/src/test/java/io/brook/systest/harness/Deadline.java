package io.brook.systest.harness;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition with a deadline, polling every {@link #POLL_INTERVAL}: the harness's only
 * way to wait (no fixed sleeps). Measured with {@link System#nanoTime()}. Immutable.
 */
public final class Deadline {
  static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private final long deadlineNanos;
  private final Duration timeout;

  private Deadline(Duration timeout) {
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  public static Deadline after(Duration timeout) {
    return new Deadline(timeout);
  }

  public boolean expired() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  public Duration timeout() {
    return timeout;
  }

  /**
   * Polls {@code condition} until it holds; on timeout throws an {@link AssertionError} saying what
   * was awaited and, from {@code lastState}, what was seen last.
   */
  public static void await(
      String what, Duration timeout, BooleanSupplier condition, Supplier<String> lastState) {
    Deadline d = after(timeout);
    while (!condition.getAsBoolean()) {
      if (d.expired()) {
        throw new AssertionError(
            "timed out after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + "; last seen: "
                + lastState.get());
      }
      pause();
    }
  }

  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    await(what, timeout, condition, () -> "(nothing recorded)");
  }

  /** One poll interval; restores the interrupt flag and throws when interrupted. */
  static void pause() {
    try {
      Thread.sleep(POLL_INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
