package io.brook.common;

/**
 * The clock, injected so that tests and simulations can drive it. Production code outside {@code
 * main} never calls {@code System.currentTimeMillis()}, {@code System.nanoTime()} or {@code
 * Thread.sleep()} directly.
 */
public interface Time {
  Time SYSTEM = new SystemTime();

  /** Wall-clock time in milliseconds since the epoch (for timestamps). */
  long milliseconds();

  /** Monotonic time in nanoseconds (for durations and deadlines). */
  long nanoseconds();

  /** Monotonic time in milliseconds. */
  default long hiResClockMs() {
    return nanoseconds() / 1_000_000L;
  }

  void sleep(long ms) throws InterruptedException;

  /** The real clock. Thread-safe. */
  final class SystemTime implements Time {
    private SystemTime() {}

    @Override
    public long milliseconds() {
      return System.currentTimeMillis();
    }

    @Override
    public long nanoseconds() {
      return System.nanoTime();
    }

    @Override
    public void sleep(long ms) throws InterruptedException {
      Thread.sleep(ms);
    }
  }
}
