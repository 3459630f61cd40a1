package io.brook.broker.log;

import io.brook.common.MockTime;
import io.brook.common.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler driven by a {@link MockTime}: tasks run, on the calling thread, when {@link #advance}
 * or {@link #runDue} reaches their time. Thread-safe enough for tests (synchronized).
 */
final class MockScheduler implements Scheduler {
  final MockTime time;
  private final List<Task> tasks = new ArrayList<>();
  private long seq;

  MockScheduler(MockTime time) {
    this.time = time;
  }

  final class Task implements ScheduledFuture<Object> {
    final String name;
    final Runnable body;
    final long periodMs;
    final long order = seq++;
    long nextRunMs;
    volatile boolean cancelled;
    volatile boolean done;

    Task(String name, Runnable body, long nextRunMs, long periodMs) {
      this.name = name;
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
  public synchronized ScheduledFuture<?> schedule(
      String name, Runnable task, long delayMs, long periodMs) {
    Task t = new Task(name, task, time.milliseconds() + delayMs, periodMs);
    tasks.add(t);
    return t;
  }

  /** Advances the clock by {@code ms} and runs every task that falls due, in time order. */
  void advance(long ms) {
    time.advance(ms);
    runDue();
  }

  /** Runs every task due now (including periodic ones once per due time). */
  void runDue() {
    while (true) {
      Task next;
      synchronized (this) {
        tasks.removeIf(Task::isDone);
        next =
            tasks.stream()
                .filter(t -> t.nextRunMs <= time.milliseconds())
                .min(
                    Comparator.<Task>comparingLong(t -> t.nextRunMs)
                        .thenComparingLong(t -> t.order))
                .orElse(null);
        if (next == null) {
          return;
        }
        if (next.periodMs > 0) {
          next.nextRunMs += next.periodMs;
        } else {
          next.done = true;
        }
      }
      next.body.run();
    }
  }

  synchronized int pending() {
    tasks.removeIf(Task::isDone);
    return tasks.size();
  }

  synchronized List<String> pendingNames() {
    tasks.removeIf(Task::isDone);
    List<String> r = new ArrayList<>();
    for (Task t : tasks) {
      r.add(t.name);
    }
    return r;
  }

  @Override
  public void close() {}
}
