package io.brook.common;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** A {@link Scheduler} over daemon threads named {@code prefix-N}. Thread-safe. */
public final class ThreadPoolScheduler implements Scheduler {
  private static final Logger log = LogManager.getLogger(ThreadPoolScheduler.class);

  private final ScheduledThreadPoolExecutor executor;

  public ThreadPoolScheduler(String prefix, int threads) {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  @Override
  public ScheduledFuture<?> schedule(String name, Runnable task, long delayMs, long periodMs) {
    Runnable guarded =
        () -> {
          try {
            task.run();
          } catch (Throwable t) {
            log.error("Scheduled task {} failed", name, t);
          }
        };
    if (periodMs > 0) {
      return executor.scheduleWithFixedDelay(guarded, delayMs, periodMs, TimeUnit.MILLISECONDS);
    }
    return executor.schedule(guarded, delayMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
