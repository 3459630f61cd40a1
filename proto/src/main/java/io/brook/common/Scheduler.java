package io.brook.common;

import java.util.concurrent.ScheduledFuture;

/**
 * Runs background work (retention, flushes, checkpoints) once or periodically. Injected so that
 * tests can run tasks by hand. Implementations say whether they are thread-safe.
 */
public interface Scheduler extends AutoCloseable {
  /**
   * Runs {@code task} after {@code delayMs}, then every {@code periodMs} if it is positive. A task
   * that throws is logged; a periodic task keeps its schedule.
   */
  ScheduledFuture<?> schedule(String name, Runnable task, long delayMs, long periodMs);

  /** Stops running tasks; waits for running ones to end. Idempotent. */
  @Override
  void close();
}
