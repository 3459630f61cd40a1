package io.brook.broker.log;

import io.brook.broker.log.internals.AtomicFiles;
import io.brook.broker.log.internals.OffsetCheckpointFile;
import io.brook.broker.log.internals.PartitionMetadataFile;
import io.brook.common.Scheduler;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import org.apache.logging.log4j.Logger;

/**
 * All logs of a broker, over one or more log directories ({@code log.dirs}), and the background
 * work on them: retention, flush.ms, checkpoints, producer id expiration, and compaction of the
 * logs with cleanup.policy=compact ({@link LogCleaner}, on its own threads).
 *
 * <p>Files per log directory (all small files written atomically by {@link AtomicFiles}):
 *
 * <pre>
 * file                              content
 * --------------------------------  -----------------------------------------------------------
 * .lock                             held (FileChannel.tryLock) while a LogManager uses the dir
 * .brook_cleanshutdown              present iff the last close was clean: no recovery needed;
 *                                   deleted once the logs are loaded
 * recovery-point-offset-checkpoint  per partition, the offset below which data is fsynced
 * replication-offset-checkpoint     per partition, the high watermark
 * log-start-offset-checkpoint       per partition, the log start offset
 * cleaner-offset-checkpoint         per compacted partition, its first dirty offset ({@link
 *                                   LogCleanerManager})
 * TOPIC-P/                          a partition ({@link Log}); TOPIC-P/partition.metadata holds
 *                                   the topic id, TOPIC-P/leader-epoch-checkpoint its leader
 *                                   epochs, TOPIC-P/NNN.snapshot its producer state snapshots
 * TOPIC-P.UUID-delete/              a deleted partition, removed after file.delete.delay.ms
 * </pre>
 *
 * The three checkpoint files use Kafka's text format ({@link OffsetCheckpointFile}). A malformed
 * recovery-point checkpoint means full recovery; a malformed start-offset or high-watermark
 * checkpoint falls back to the first segment's base offset.
 *
 * <p>Lifecycle: LATENT -&gt; {@link #startup()} -&gt; STARTED -&gt; {@link #close()} -&gt; CLOSED;
 * startup twice fails, close is idempotent.
 *
 * <p>Thread-safe: the map of logs is concurrent; creation and deletion of logs are serialized on an
 * internal lock; background tasks run on the injected scheduler.
 */
public final class LogManager implements AutoCloseable {
  private static final Logger log = org.apache.logging.log4j.LogManager.getLogger(LogManager.class);

  public static final String LOCK_FILE = ".lock";
  public static final String CLEAN_SHUTDOWN_FILE = ".brook_cleanshutdown";
  public static final String RECOVERY_POINT_CHECKPOINT_FILE = "recovery-point-offset-checkpoint";
  public static final String HIGH_WATERMARK_CHECKPOINT_FILE = "replication-offset-checkpoint";
  public static final String LOG_START_OFFSET_CHECKPOINT_FILE = "log-start-offset-checkpoint";
  public static final String DELETE_DIR_SUFFIX = "-delete";

  /** Kafka's log.initial.task.delay.ms: background tasks start at most this late. */
  static final long INITIAL_TASK_DELAY_MS = 30_000L;

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final List<Path> logDirs;
  private final LogManagerConfig config;
  private final Scheduler scheduler;
  private final Time time;
  private final ConcurrentHashMap<TopicPartition, Log> logs = new ConcurrentHashMap<>();

  /**
   * Logs loaded from disk at startup whose topic's own config has not been applied yet (they run
   * with the broker defaults until the first LeaderAndIsr): retention leaves them alone, so that a
   * compacted topic such as __consumer_offsets never loses segments to the default delete policy.
   */
  private final Set<TopicPartition> awaitingTopicConfig = ConcurrentHashMap.newKeySet();

  private final Map<Path, FileLock> dirLocks = new LinkedHashMap<>();
  private final Map<Path, OffsetCheckpointFile> recoveryPointCheckpoints = new HashMap<>();
  private final Map<Path, OffsetCheckpointFile> highWatermarkCheckpoints = new HashMap<>();
  private final Map<Path, OffsetCheckpointFile> logStartOffsetCheckpoints = new HashMap<>();
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  private final Object lock = new Object();
  private State state = State.LATENT;
  private final Scheduler cleanerScheduler;
  private final boolean ownsCleanerScheduler;
  private volatile LogCleaner cleaner;

  /**
   * With the log cleaner's threads in a pool of their own (log.cleaner.threads threads named
   * brook-log-cleaner-N, created only when the cleaner is enabled), so that a long cleaning never
   * holds up the broker's scheduler.
   */
  public LogManager(List<Path> logDirs, LogManagerConfig config, Scheduler scheduler, Time time) {
    this(
        logDirs,
        config,
        scheduler,
        config.cleanerConfig().runsThreads()
            ? new ThreadPoolScheduler("brook-log-cleaner", config.cleanerConfig().numThreads())
            : scheduler,
        config.cleanerConfig().runsThreads(),
        time);
  }

  /**
   * @param cleanerScheduler runs the log cleaner's tasks (tests pass a manual scheduler); not
   *     closed by this manager
   */
  public LogManager(
      List<Path> logDirs,
      LogManagerConfig config,
      Scheduler scheduler,
      Scheduler cleanerScheduler,
      Time time) {
    this(logDirs, config, scheduler, cleanerScheduler, false, time);
  }

  private LogManager(
      List<Path> logDirs,
      LogManagerConfig config,
      Scheduler scheduler,
      Scheduler cleanerScheduler,
      boolean ownsCleanerScheduler,
      Time time) {
    this.cleanerScheduler = cleanerScheduler;
    this.ownsCleanerScheduler = ownsCleanerScheduler;
    if (logDirs.isEmpty()) {
      throw new IllegalArgumentException("log.dirs must name at least one directory");
    }
    List<Path> dirs = new ArrayList<>();
    for (Path p : logDirs) {
      Path abs = p.toAbsolutePath().normalize();
      if (dirs.contains(abs)) {
        throw new IllegalArgumentException("log.dirs names " + abs + " twice");
      }
      dirs.add(abs);
    }
    this.logDirs = List.copyOf(dirs);
    this.config = config;
    this.scheduler = scheduler;
    this.time = time;
    for (Path d : this.logDirs) {
      recoveryPointCheckpoints.put(
          d, new OffsetCheckpointFile(d.resolve(RECOVERY_POINT_CHECKPOINT_FILE)));
      highWatermarkCheckpoints.put(
          d, new OffsetCheckpointFile(d.resolve(HIGH_WATERMARK_CHECKPOINT_FILE)));
      logStartOffsetCheckpoints.put(
          d, new OffsetCheckpointFile(d.resolve(LOG_START_OFFSET_CHECKPOINT_FILE)));
    }
  }

  public List<Path> logDirs() {
    return logDirs;
  }

  public LogManagerConfig config() {
    return config;
  }

  /**
   * Locks every log directory, loads every partition in it (recovering from the recovery point, or
   * not at all after a clean shutdown), and starts the background tasks.
   *
   * @throws LogStorageException when a directory is in use or cannot be read
   */
  public void startup() {
    synchronized (lock) {
      if (state != State.LATENT) {
        throw new IllegalStateException("LogManager was already started (state " + state + ")");
      }
      state = State.STARTED;
      try {
        for (Path dir : logDirs) {
          Files.createDirectories(dir);
          lockDir(dir);
        }
        for (Path dir : logDirs) {
          loadLogs(dir);
        }
      } catch (IOException e) {
        releaseLocks();
        state = State.CLOSED;
        throw new LogStorageException("loading the logs failed: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        releaseLocks();
        state = State.CLOSED;
        throw e;
      }
      schedule("brook-log-retention", this::cleanupLogs, config.retentionCheckIntervalMs());
      schedule(
          "brook-log-flusher", this::flushDirtyLogs, config.effectiveFlushSchedulerIntervalMs());
      schedule(
          "brook-recovery-point-checkpoint",
          () -> {
            checkpointRecoveryPoints();
            checkpointHighWatermarks();
          },
          config.flushCheckpointIntervalMs());
      schedule(
          "brook-producer-id-expiration",
          this::removeExpiredProducers,
          config.producerIdExpirationCheckIntervalMs());
      schedule(
          "brook-log-start-offset-checkpoint",
          this::checkpointLogStartOffsets,
          config.flushStartOffsetCheckpointIntervalMs());
      cleaner =
          new LogCleaner(
              config.cleanerConfig(),
              logDirs,
              () -> List.copyOf(logs.values()),
              cleanerScheduler,
              time);
      cleaner.startup();
      log.info("Loaded {} log(s) from {}", logs.size(), logDirs);
    }
  }

  private void schedule(String name, Runnable task, long periodMs) {
    tasks.add(scheduler.schedule(name, task, Math.min(INITIAL_TASK_DELAY_MS, periodMs), periodMs));
  }

  private void lockDir(Path dir) throws IOException {
    FileChannel ch =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock fl;
    try {
      fl = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      fl = null;
    }
    if (fl == null) {
      ch.close();
      throw new LogStorageException(
          "log directory " + dir + " is in use by another broker (" + LOCK_FILE + " is locked)");
    }
    dirLocks.put(dir, fl);
  }

  private void releaseLocks() {
    for (FileLock fl : dirLocks.values()) {
      try {
        fl.release();
        fl.channel().close();
      } catch (IOException e) {
        log.warn("Releasing {} failed: {}", fl, e.toString());
      }
    }
    dirLocks.clear();
  }

  private Map<TopicPartition, Long> readCheckpoint(OffsetCheckpointFile f, String consequence) {
    try {
      return f.read();
    } catch (IOException e) {
      log.warn("{}; {}", e.getMessage(), consequence);
      return new HashMap<>();
    }
  }

  private void loadLogs(Path dir) throws IOException {
    Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
    boolean hadCleanShutdown = Files.exists(marker);
    Map<TopicPartition, Long> recoveryPoints;
    boolean recoveryCheckpointBad = false;
    try {
      recoveryPoints = recoveryPointCheckpoints.get(dir).read();
    } catch (IOException e) {
      // a corrupt recovery checkpoint is not trusted even with a clean-shutdown marker
      log.warn("{}; recovering every log in {} in full", e.getMessage(), dir);
      recoveryPoints = new HashMap<>();
      recoveryCheckpointBad = true;
    }
    Map<TopicPartition, Long> startOffsets =
        readCheckpoint(logStartOffsetCheckpoints.get(dir), "using each log's first segment");
    Map<TopicPartition, Long> highWatermarks =
        readCheckpoint(highWatermarkCheckpoints.get(dir), "high watermarks start at 0");
    boolean clean = hadCleanShutdown && !recoveryCheckpointBad;
    if (!clean) {
      log.info("No clean shutdown marker in {}: recovering logs from their recovery points", dir);
    }

    List<Path> partitionDirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.endsWith(DELETE_DIR_SUFFIX)) {
          scheduleDirDeletion(p, 0L);
          continue;
        }
        try {
          Log.parseTopicPartitionName(p);
          partitionDirs.add(p);
        } catch (IllegalArgumentException e) {
          log.warn("Ignoring {} in log directory {}: {}", name, dir, e.getMessage());
        }
      }
    }
    Map<TopicPartition, Long> recoveryPointsFinal = recoveryPoints;
    ExecutorService pool =
        Executors.newFixedThreadPool(
            config.recoveryThreadsPerDataDir(),
            r -> {
              Thread t = new Thread(r, "brook-log-recovery-" + dir.getFileName());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Log>> loading = new ArrayList<>();
      for (Path p : partitionDirs) {
        TopicPartition tp = Log.parseTopicPartitionName(p);
        loading.add(
            pool.submit(
                () ->
                    loadLog(
                        p,
                        startOffsets.getOrDefault(tp, 0L),
                        recoveryPointsFinal.getOrDefault(tp, 0L),
                        highWatermarks.getOrDefault(tp, 0L),
                        clean)));
      }
      for (Future<Log> f : loading) {
        Log l = f.get();
        Log other = logs.putIfAbsent(l.topicPartition(), l);
        if (other == null) {
          awaitingTopicConfig.add(l.topicPartition());
        }
        if (other != null) {
          throw new IllegalStateException(
              "partition " + l.topicPartition() + " is in both " + other.dir() + " and " + l.dir());
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while loading " + dir, e);
    } finally {
      pool.shutdownNow();
    }
    if (hadCleanShutdown) {
      Files.delete(marker);
      AtomicFiles.fsyncDirectory(dir);
    }
  }

  private Log loadLog(
      Path partitionDir, long logStartOffset, long recoveryPoint, long highWatermark, boolean clean)
      throws IOException {
    PartitionMetadataFile meta = new PartitionMetadataFile(partitionDir);
    UUID topicId = null;
    if (meta.exists()) {
      try {
        topicId = meta.read();
      } catch (IOException e) {
        log.warn("{}; the topic id of {} is unknown", e.getMessage(), partitionDir);
      }
    }
    Log l =
        Log.open(
            partitionDir,
            topicId,
            config.defaultLogConfig(),
            logStartOffset,
            recoveryPoint,
            clean,
            scheduler,
            time);
    l.updateHighWatermark(highWatermark);
    return l;
  }

  /**
   * The log of {@code tp}, created (in the log directory holding the fewest partitions) when
   * missing. An existing log whose topic id differs from {@code topicId} belongs to a deleted topic
   * of the same name: it is deleted first. An existing log takes {@code config}.
   *
   * @param topicId the topic's id, or null when unknown
   */
  public Log getOrCreateLog(TopicPartition tp, UUID topicId, LogConfig config) {
    synchronized (lock) {
      if (state != State.STARTED) {
        throw new IllegalStateException("LogManager is " + state);
      }
      Log existing = logs.get(tp);
      if (existing != null) {
        if (topicId != null && existing.topicId() != null && !topicId.equals(existing.topicId())) {
          log.info(
              "Log {} belongs to topic id {}, not {}: deleting it (the topic was re-created)",
              tp,
              existing.topicId(),
              topicId);
          deleteLog(tp);
        } else {
          if (topicId != null && existing.topicId() == null) {
            writeTopicId(existing.dir(), topicId);
            existing.setTopicId(topicId);
          }
          if (config != null) {
            existing.updateConfig(config);
            awaitingTopicConfig.remove(tp);
          }
          return existing;
        }
      }
      Path dir = chooseLogDir();
      Path partitionDir = dir.resolve(tp.toString());
      try {
        Files.createDirectories(partitionDir);
        if (topicId != null) {
          new PartitionMetadataFile(partitionDir).write(topicId);
        }
        AtomicFiles.fsyncDirectory(dir);
        Log l =
            Log.open(
                partitionDir,
                topicId,
                config != null ? config : this.config.defaultLogConfig(),
                0L,
                0L,
                true,
                scheduler,
                time);
        logs.put(tp, l);
        log.info("Created log for partition {} in {}", tp, dir);
        return l;
      } catch (IOException e) {
        throw new LogStorageException("creating the log of " + tp + " in " + dir + " failed", e);
      }
    }
  }

  private void writeTopicId(Path partitionDir, UUID topicId) {
    try {
      new PartitionMetadataFile(partitionDir).write(topicId);
    } catch (IOException e) {
      throw new LogStorageException("writing the topic id of " + partitionDir + " failed", e);
    }
  }

  private Path chooseLogDir() {
    Map<Path, Integer> counts = new HashMap<>();
    for (Path d : logDirs) {
      counts.put(d, 0);
    }
    for (Log l : logs.values()) {
      counts.merge(l.dir().getParent(), 1, Integer::sum);
    }
    Path best = logDirs.get(0);
    for (Path d : logDirs) {
      if (counts.get(d) < counts.get(best)) {
        best = d;
      }
    }
    return best;
  }

  public Optional<Log> getLog(TopicPartition tp) {
    return Optional.ofNullable(logs.get(tp));
  }

  public Collection<Log> allLogs() {
    return List.copyOf(logs.values());
  }

  /**
   * Closes the log of {@code tp} and renames its directory to {@code <topic>-<p>.<uuid>-delete};
   * the directory is removed after file.delete.delay.ms. Nothing happens when there is no such log.
   */
  public void deleteLog(TopicPartition tp) {
    synchronized (lock) {
      Log l = logs.get(tp);
      if (l == null) {
        return;
      }
      LogCleaner c = cleaner;
      if (c != null) {
        c.onLogDeleted(tp, l.dir().getParent());
      }
      logs.remove(tp);
      awaitingTopicConfig.remove(tp);
      l.closeWithoutFlush();
      Path target =
          l.dir()
              .resolveSibling(
                  tp + "." + UUID.randomUUID().toString().replace("-", "") + DELETE_DIR_SUFFIX);
      try {
        Files.move(l.dir(), target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(target.getParent());
      } catch (IOException e) {
        throw new LogStorageException("renaming " + l.dir() + " for deletion failed", e);
      }
      scheduleDirDeletion(target, l.config().fileDeleteDelayMs());
      log.info(
          "Deleted log for partition {}; its files go in {} ms",
          tp,
          l.config().fileDeleteDelayMs());
      try {
        checkpointDir(target.getParent());
      } catch (IOException e) {
        log.warn(
            "Checkpointing {} after deleting {} failed: {}", target.getParent(), tp, e.toString());
      }
    }
  }

  private void scheduleDirDeletion(Path dir, long delayMs) {
    scheduler.schedule(
        "delete-dir-" + dir.getFileName(),
        () -> {
          try {
            deleteRecursively(dir);
          } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.toString());
          }
        },
        delayMs,
        0L);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  // ------------------------------------------------------------------ background work

  /** The log cleaner (null before startup). */
  public LogCleaner cleaner() {
    return cleaner;
  }

  /** Runs retention on every log (the retention task). Returns segments deleted. */
  public int cleanupLogs() {
    int total = 0;
    for (Log l : logs.values()) {
      if (awaitingTopicConfig.contains(l.topicPartition())) {
        log.debug("Retention skips {}: its topic config is not known yet", l.topicPartition());
        continue;
      }
      try {
        total += l.deleteOldSegments();
      } catch (LogStorageException e) {
        log.error("Retention of {} failed", l.topicPartition(), e);
      }
    }
    return total;
  }

  /**
   * Forgets, in every log, the producers idle for producer.id.expiration.ms (the task runs every
   * producer.id.expiration.check.interval.ms). Returns producers forgotten.
   */
  public int removeExpiredProducers() {
    int total = 0;
    for (Log l : logs.values()) {
      if (l.isOffline() || l.isClosed()) {
        continue;
      }
      total += l.removeExpiredProducers(config.producerIdExpirationMs());
    }
    return total;
  }

  /** Flushes every log whose last flush is older than its flush.ms (the flusher task). */
  public void flushDirtyLogs() {
    long now = time.milliseconds();
    for (Log l : logs.values()) {
      if (l.isOffline() || l.isClosed()) {
        continue;
      }
      long flushMs = l.config().flushMs();
      if (flushMs != Long.MAX_VALUE
          && now - l.lastFlushTimeMs() >= flushMs
          && l.logEndOffset() > l.recoveryPoint()) {
        try {
          l.flush();
        } catch (LogStorageException e) {
          log.error("Flush of {} failed", l.topicPartition(), e);
        }
      }
    }
  }

  private Map<TopicPartition, Long> offsetsIn(Path dir, java.util.function.ToLongFunction<Log> f) {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (Log l : logs.values()) {
      if (l.dir().getParent().equals(dir)) {
        m.put(l.topicPartition(), f.applyAsLong(l));
      }
    }
    return m;
  }

  /** Writes recovery-point-offset-checkpoint in every log directory. */
  public void checkpointRecoveryPoints() {
    for (Path dir : logDirs) {
      write(recoveryPointCheckpoints.get(dir), offsetsIn(dir, Log::recoveryPoint));
    }
  }

  /** Writes replication-offset-checkpoint (high watermarks) in every log directory. */
  public void checkpointHighWatermarks() {
    for (Path dir : logDirs) {
      write(highWatermarkCheckpoints.get(dir), offsetsIn(dir, Log::highWatermark));
    }
  }

  /** Writes log-start-offset-checkpoint in every log directory. */
  public void checkpointLogStartOffsets() {
    for (Path dir : logDirs) {
      write(logStartOffsetCheckpoints.get(dir), offsetsIn(dir, Log::logStartOffset));
    }
  }

  private void checkpointDir(Path dir) throws IOException {
    recoveryPointCheckpoints.get(dir).write(offsetsIn(dir, Log::recoveryPoint));
    highWatermarkCheckpoints.get(dir).write(offsetsIn(dir, Log::highWatermark));
    logStartOffsetCheckpoints.get(dir).write(offsetsIn(dir, Log::logStartOffset));
  }

  private static void write(OffsetCheckpointFile f, Map<TopicPartition, Long> offsets) {
    try {
      f.write(offsets);
    } catch (IOException e) {
      throw new LogStorageException("writing " + f.file() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Stops the background tasks, flushes and closes every log, writes the checkpoints, and marks
   * each log directory whose logs all closed cleanly with the clean-shutdown marker. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      boolean started = state == State.STARTED;
      state = State.CLOSED;
      for (ScheduledFuture<?> t : tasks) {
        t.cancel(false);
      }
      tasks.clear();
      if (cleaner != null) {
        cleaner.shutdown();
      }
      if (ownsCleanerScheduler) {
        cleanerScheduler.close();
      }
      if (!started) {
        return;
      }
      for (Path dir : logDirs) {
        boolean clean = true;
        for (Log l : logs.values()) {
          if (!l.dir().getParent().equals(dir)) {
            continue;
          }
          l.close();
          clean &= !l.isOffline();
        }
        try {
          checkpointDir(dir);
          if (clean) {
            AtomicFiles.write(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
          }
        } catch (IOException e) {
          log.error("Could not checkpoint {} at shutdown; it will be recovered at startup", dir, e);
        }
      }
      releaseLocks();
      log.info("Closed {} log(s) in {}", logs.size(), logDirs);
      logs.clear();
    }
  }
}
