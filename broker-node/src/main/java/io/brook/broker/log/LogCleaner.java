package io.brook.broker.log;

import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.logging.log4j.Logger;

/**
 * Compacts the logs whose cleanup.policy includes {@code compact} (Kafka's LogCleaner): keeps, for
 * each key, only the latest record, and removes tombstones delete.retention.ms after they were
 * first cleaned. Which log and which offsets: {@link LogCleanerManager}; how: {@link Cleaner}.
 *
 * <p>Threads: log.cleaner.threads tasks on the injected {@link Scheduler} (a dedicated pool in a
 * broker, a manual scheduler in tests). Each run of a task cleans the dirtiest log, then the next,
 * until none qualifies; the task then waits log.cleaner.backoff.ms (its period) before looking
 * again. {@link #cleanFilthiestLog()} runs one cleaning on the calling thread (tests, tools).
 *
 * <p>Invariants: a log is cleaned by one thread at a time; a cleaning never changes an offset or
 * removes the latest record of a key (tombstones aside), never touches the active segment or data
 * at or above the high watermark, and either swaps a whole group of segments or nothing. A cleaning
 * that fails unexpectedly (a corrupt batch) marks its log uncleanable and is logged; the thread
 * goes on with other logs.
 *
 * <p>Lifecycle: {@link #startup()} once, {@link #shutdown()} idempotent (aborts running cleanings
 * and waits for them). Thread-safe.
 */
public final class LogCleaner implements AutoCloseable {
  private static final Logger log = org.apache.logging.log4j.LogManager.getLogger(LogCleaner.class);

  private final CleanerConfig config;
  private final Supplier<Collection<Log>> logs;
  private final Scheduler scheduler;
  private final Time time;
  private final LogCleanerManager manager;
  private final List<Cleaner> cleaners = new ArrayList<>();
  private final Cleaner callerCleaner;
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  private final AtomicLong cleanings = new AtomicLong();
  private volatile boolean started;
  private volatile boolean shuttingDown;

  /**
   * @param logs the broker's current logs (asked at every pick)
   * @param scheduler runs the cleaner threads' tasks
   */
  public LogCleaner(
      CleanerConfig config,
      List<Path> logDirs,
      Supplier<Collection<Log>> logs,
      Scheduler scheduler,
      Time time) {
    this.config = config;
    this.logs = logs;
    this.scheduler = scheduler;
    this.time = time;
    this.manager = new LogCleanerManager(logDirs);
    int threads = Math.max(1, config.numThreads());
    long memoryPerThread = Math.max(1, config.dedupeBufferSize() / threads);
    for (int i = 0; i < config.numThreads(); i++) {
      cleaners.add(newCleaner(i, memoryPerThread));
    }
    this.callerCleaner = newCleaner(-1, memoryPerThread);
  }

  private Cleaner newCleaner(int id, long memory) {
    return new Cleaner(id, memory, config.dedupeBufferLoadFactor(), config.ioBufferSize(), time);
  }

  /** Starts the cleaner threads' tasks (none when the cleaner is disabled or has no threads). */
  public synchronized void startup() {
    if (started) {
      throw new IllegalStateException("LogCleaner was already started");
    }
    started = true;
    if (!config.runsThreads()) {
      log.info("The log cleaner is disabled; compacted logs are not cleaned");
      return;
    }
    for (Cleaner c : cleaners) {
      tasks.add(
          scheduler.schedule(
              "brook-log-cleaner-thread-" + c.id(),
              () -> runCleanerThread(c),
              config.backoffMs(),
              Math.max(1, config.backoffMs())));
    }
    log.info("Started {} log cleaner thread(s)", cleaners.size());
  }

  private void runCleanerThread(Cleaner c) {
    while (!shuttingDown && cleanFilthiestLog(c)) {
      // clean the next dirtiest log right away; back off only when none qualifies
    }
  }

  /**
   * Cleans the dirtiest compacted log, if any qualifies, on the calling thread.
   *
   * @return whether a log was cleaned
   */
  public boolean cleanFilthiestLog() {
    synchronized (callerCleaner) {
      return cleanFilthiestLog(callerCleaner);
    }
  }

  private boolean cleanFilthiestLog(Cleaner cleaner) {
    if (shuttingDown) {
      return false;
    }
    long now = time.milliseconds();
    Optional<LogCleanerManager.LogToClean> picked =
        manager.grabFilthiestCompactedLog(logs.get(), now);
    if (picked.isEmpty()) {
      return false;
    }
    LogCleanerManager.LogToClean c = picked.get();
    Log l = c.log();
    TopicPartition tp = l.topicPartition();
    log.debug(
        "Cleaner {}: beginning cleaning of log {}: dirty section [{}, {}), ratio {}",
        cleaner.id(),
        tp,
        c.firstDirtyOffset(),
        c.firstUncleanableOffset(),
        c.cleanableRatio());
    long startNs = time.nanoseconds();
    try {
      Cleaner.CleanStats stats = cleaner.clean(c, () -> shuttingDown || manager.isAborted(tp));
      manager.doneCleaning(l, stats.endOffset());
      if (stats.endOffset() >= 0) {
        cleanings.incrementAndGet();
        log.info(
            "Cleaned log {} up to offset {}: {} segment(s) into {}, {} -> {} bytes, {} of {} dirty"
                + " records superseded or expired, {} keys, {} ms",
            tp,
            stats.endOffset(),
            stats.segmentsRead(),
            stats.segmentsWritten(),
            stats.bytesRead(),
            stats.bytesWritten(),
            stats.recordsRemoved(),
            stats.recordsRead(),
            stats.mapKeys(),
            (time.nanoseconds() - startNs) / 1_000_000L);
      }
      return true;
    } catch (Cleaner.CleaningAbortedException e) {
      log.info("Cleaning of log {} aborted", tp);
      manager.doneCleaning(l, -1);
      return false;
    } catch (LogStorageException e) {
      // the log went offline (logged by the log) or was closed under the cleaning
      log.warn("Cleaning of log {} stopped: {}", tp, e.getMessage());
      manager.doneCleaning(l, -1);
      return false;
    } catch (java.nio.channels.ClosedChannelException e) {
      log.info("Cleaning of log {} stopped: the log was closed", tp);
      manager.doneCleaning(l, -1);
      return false;
    } catch (Exception e) {
      log.error(
          "Unexpected error while cleaning log {}; it is marked uncleanable until restart", tp, e);
      manager.markUncleanable(tp);
      return false;
    }
  }

  /** Stops the cleaning of {@code tp} if one runs and waits until it has stopped. */
  public void abortCleaning(TopicPartition tp) {
    manager.abortCleaning(tp);
  }

  /** Aborts any cleaning of a log being deleted and forgets its checkpoint. */
  public void onLogDeleted(TopicPartition tp, Path logDir) {
    manager.abortCleaning(tp);
    manager.removeLog(tp, logDir);
  }

  /** The checkpointed first dirty offset of {@code l} (cleaner-offset-checkpoint), if any. */
  public Optional<Long> firstDirtyOffset(Log l) {
    return manager.checkpoint(l);
  }

  /** Cleanings completed since startup (for tests and metrics). */
  public long cleaningsCompleted() {
    return cleanings.get();
  }

  /** Stops the threads' tasks, aborts running cleanings and waits for them. Idempotent. */
  public void shutdown() {
    shuttingDown = true;
    synchronized (this) {
      for (ScheduledFuture<?> t : tasks) {
        t.cancel(false);
      }
      tasks.clear();
    }
    manager.abortAll();
  }

  @Override
  public void close() {
    shutdown();
  }
}
