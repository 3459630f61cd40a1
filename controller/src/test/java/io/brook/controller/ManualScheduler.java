package io.brook.controller;

import io.brook.common.MockTime;
import io.brook.common.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A {@link Scheduler} that runs tasks, on the caller's thread, only when {@link #advance} moves its
 * {@link MockTime} past their due time. Thread-safe (synchronized); for tests.
 */
final class ManualScheduler implements Scheduler {
  final MockTime time = new MockTime();
  private final List<Task> tasks = new ArrayList<>();

  private static final class Task {
    final String name;
    final Runnable body;
    final long periodMs;
    long dueMs;
    final CompletableFuture<Void> handle = new CompletableFuture<>();

    Task(String name, Runnable body, long dueMs, long periodMs) {
      this.name = name;
      this.body = body;
      this.dueMs = dueMs;
      this.periodMs = periodMs;
    }
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(
      String name, Runnable task, long delayMs, long periodMs) {
    Task t = new Task(name, task, time.milliseconds() + delayMs, periodMs);
    tasks.add(t);
    return new Handle(t);
  }

  /** Moves the clock by {@code ms} and runs every task that falls due, in time order. */
  void advance(long ms) {
    long target = time.milliseconds() + ms;
    while (true) {
      Task next = null;
      synchronized (this) {
        tasks.removeIf(t -> t.handle.isDone());
        for (Task t : tasks) {
          if (t.dueMs <= target && (next == null || t.dueMs < next.dueMs)) {
            next = t;
          }
        }
        if (next == null) {
          time.advance(target - time.milliseconds());
          return;
        }
        time.advance(Math.max(0, next.dueMs - time.milliseconds()));
        if (next.periodMs > 0) {
          next.dueMs += next.periodMs;
        } else {
          next.handle.complete(null);
        }
      }
      next.body.run();
    }
  }

  /** Names of the tasks still scheduled. */
  synchronized List<String> pending() {
    tasks.removeIf(t -> t.handle.isDone());
    return tasks.stream().map(t -> t.name).toList();
  }

  @Override
  public void close() {}

  private static final class Handle implements ScheduledFuture<Object> {
    private final Task task;

    Handle(Task task) {
      this.task = task;
    }

    @Override
    public long getDelay(java.util.concurrent.TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(java.util.concurrent.Delayed o) {
      return 0;
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      return task.handle.cancel(mayInterrupt);
    }

    @Override
    public boolean isCancelled() {
      return task.handle.isCancelled();
    }

    @Override
    public boolean isDone() {
      return task.handle.isDone();
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, java.util.concurrent.TimeUnit unit) {
      return null;
    }
  }
}
