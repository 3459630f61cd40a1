package io.brook.broker.replica.fetcher;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread a {@link ReplicaFetcher} runs all its events on. {@link LeaderConnection.Factory}
 * makes it, so that a network transport can make it the thread its connection's I/O runs on too (a
 * response then handled, appended and answered by the next request without waking another thread),
 * as {@link GrpcLeaderConnection} does with a one-thread Netty event loop.
 *
 * <p>Tasks given after {@link #shutdown} are dropped (late network callbacks and timers).
 */
public interface EventThread extends Executor {

  /**
   * Stops taking tasks, runs those already queued, and waits up to {@code timeoutMs} for the thread
   * to end.
   *
   * @return whether it ended in time
   */
  boolean shutdown(long timeoutMs) throws InterruptedException;

  /** A plain daemon thread named {@code name}, for transports that deliver callbacks elsewhere. */
  static EventThread newThread(String name) {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
    return new EventThread() {
      @Override
      public void execute(Runnable task) {
        executor.execute(task);
      }

      @Override
      public boolean shutdown(long timeoutMs) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS);
      }
    };
  }
}
