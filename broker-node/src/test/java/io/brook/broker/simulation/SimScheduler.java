package io.brook.broker.simulation;

import io.brook.common.MockTime;
import io.brook.common.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler driven by the simulation's {@link MockTime}: tasks run on the calling (simulation)
 * thread when {@link #runDue} finds them due, in time order, ties in scheduling order. Not
 * thread-safe: the simulation is single-threaded.
 */
final class SimScheduler implements Scheduler {
  private final MockTime time;
  private final List<Task> tasks = new ArrayList<>();
  private long seq;
  private boolean closed;

  SimScheduler(MockTime time) {
    this.time = time;
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable body;
    final long periodMs;
    final long order = seq++;
    long nextRunMs;
    boolean cancelled;
    boolean done;

    Task(Runnable body, long nextRunMs, long periodMs) {
      this.body = body;
      this.nextRunMs = nextRunMs;
      this.periodMs = periodMs;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(nextRunMs - time.milliseconds(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }

  @Override
  public ScheduledFuture<?> schedule(String name, Runnable task, long delayMs, long periodMs) {
    Task t = new Task(task, time.milliseconds() + delayMs, periodMs);
    if (!closed) {
      tasks.add(t);
    }
    return t;
  }

  /** Runs every task due now (periodic ones once per due time). */
  void runDue() {
    while (!closed) {
      tasks.removeIf(Task::isDone);
      Task next =
          tasks.stream()
              .filter(t -> t.nextRunMs <= time.milliseconds())
              .min(Comparator.<Task>comparingLong(t -> t.nextRunMs).thenComparingLong(t -> t.order))
              .orElse(null);
      if (next == null) {
        return;
      }
      if (next.periodMs > 0) {
        next.nextRunMs += next.periodMs;
      } else {
        next.done = true;
      }
      next.body.run();
    }
  }

  @Override
  public void close() {
    closed = true;
    tasks.clear();
  }
}
