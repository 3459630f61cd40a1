package io.brook.broker.log;

import io.brook.broker.log.internals.BatchHeader;
import io.brook.broker.log.internals.LogSegment;
import io.brook.broker.log.internals.OffsetCheckpointFile;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.logging.log4j.Logger;

/**
 * Which compacted log to clean next, and the state of cleanings (Kafka's LogCleanerManager).
 *
 * <p>Per log directory, {@code cleaner-offset-checkpoint} (the text format of {@link
 * OffsetCheckpointFile}) holds for every compacted partition its first dirty offset: everything
 * below it was cleaned at least once. A missing or out-of-range entry means the log starts dirty at
 * its log start offset. The cleaned section is [log start, first dirty); the dirty section is
 * [first dirty, first uncleanable), where the first uncleanable offset is the base of the first
 * segment that may not be cleaned yet: the active segment, a segment not wholly below the high
 * watermark, or a segment holding a record younger than min.compaction.lag.ms. Both bounds lie on
 * segment boundaries.
 *
 * <p>Invariants: a partition is cleaned by at most one thread at a time; a partition being aborted
 * ({@link #abortCleaning}) is not picked again until its abort completed; a partition whose
 * cleaning failed unexpectedly is left alone (uncleanable) until the log is re-created.
 *
 * <p>Thread-safe: every method synchronizes on this object; {@link #abortCleaning} waits on it.
 */
final class LogCleanerManager {
  private static final Logger log = org.apache.logging.log4j.LogManager.getLogger(LogCleaner.class);

  public static final String CHECKPOINT_FILE = "cleaner-offset-checkpoint";

  private enum State {
    IN_PROGRESS,
    ABORTED
  }

  /**
   * A log chosen for cleaning, with the bounds of its sections in offsets and bytes.
   *
   * @param snapshot the log's segments etc. when it was chosen
   * @param needCompactionNow its oldest dirty record is older than max.compaction.lag.ms
   */
  record LogToClean(
      Log log,
      Log.CleanerSnapshot snapshot,
      long firstDirtyOffset,
      long firstUncleanableOffset,
      long cleanBytes,
      long cleanableBytes,
      boolean needCompactionNow) {
    /** dirty / (clean + dirty) bytes. */
    double cleanableRatio() {
      long total = cleanBytes + cleanableBytes;
      return total == 0 ? 0.0 : (double) cleanableBytes / total;
    }
  }

  private final Map<Path, OffsetCheckpointFile> checkpointFiles = new HashMap<>();
  // guarded by this
  private final Map<Path, Map<TopicPartition, Long>> checkpoints = new HashMap<>();
  private final Map<TopicPartition, State> inProgress = new HashMap<>();
  private final Set<TopicPartition> uncleanable = new HashSet<>();

  LogCleanerManager(List<Path> logDirs) {
    for (Path dir : logDirs) {
      OffsetCheckpointFile f = new OffsetCheckpointFile(dir.resolve(CHECKPOINT_FILE));
      checkpointFiles.put(dir, f);
      Map<TopicPartition, Long> read;
      try {
        read = new HashMap<>(f.read());
      } catch (IOException e) {
        log.warn("{}; every compacted log in {} is treated as dirty", e.getMessage(), dir);
        read = new HashMap<>();
      }
      checkpoints.put(dir, read);
    }
  }

  /** The checkpointed first dirty offset of {@code l}, if any. */
  synchronized Optional<Long> checkpoint(Log l) {
    Map<TopicPartition, Long> m = checkpoints.get(l.dir().getParent());
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(l.topicPartition()));
  }

  /**
   * Chooses the compacted log with the highest dirty ratio among those at or above their
   * min.cleanable.dirty.ratio (or past max.compaction.lag.ms with something to clean), and marks it
   * in progress. Empty when none qualifies.
   */
  synchronized Optional<LogToClean> grabFilthiestCompactedLog(Collection<Log> logs, long now) {
    LogToClean best = null;
    for (Log l : logs) {
      TopicPartition tp = l.topicPartition();
      if (!l.config().compact()
          || l.isOffline()
          || l.isClosed()
          || inProgress.containsKey(tp)
          || uncleanable.contains(tp)) {
        continue;
      }
      LogToClean c;
      try {
        c = cleanableOffsets(l, l.cleanerSnapshot(), checkpoint(l).orElse(-1L), now);
      } catch (IOException | LogStorageException e) {
        log.warn("Cannot compute the dirty section of {}: {}", tp, e.toString());
        continue;
      }
      if (c.firstUncleanableOffset() <= c.firstDirtyOffset() || c.cleanableBytes() <= 0) {
        continue;
      }
      boolean qualifies =
          c.needCompactionNow() || c.cleanableRatio() >= l.config().minCleanableDirtyRatio();
      if (qualifies && (best == null || c.cleanableRatio() > best.cleanableRatio())) {
        best = c;
      }
    }
    if (best != null) {
      inProgress.put(best.log().topicPartition(), State.IN_PROGRESS);
    }
    return Optional.ofNullable(best);
  }

  /**
   * The sections of {@code l}: see the class javadoc.
   *
   * @param checkpoint the checkpointed first dirty offset, or -1
   */
  static LogToClean cleanableOffsets(Log l, Log.CleanerSnapshot snap, long checkpoint, long now)
      throws IOException {
    LogConfig cfg = l.config();
    List<LogSegment> segs = snap.segments();
    LogSegment active = segs.get(segs.size() - 1);
    long firstDirty = checkpoint;
    if (firstDirty < snap.logStartOffset() || firstDirty > active.baseOffset()) {
      if (checkpoint >= 0) {
        log.debug(
            "{}: cleaner checkpoint {} is outside [{}, {}]; cleaning from the log start",
            l.topicPartition(),
            checkpoint,
            snap.logStartOffset(),
            active.baseOffset());
      }
      firstDirty = snap.logStartOffset();
    }
    long firstUncleanable = active.baseOffset();
    long cleanBytes = 0;
    long dirtyBytes = 0;
    boolean needNow = false;
    boolean firstDirtySeen = false;
    for (int i = 0; i + 1 < segs.size(); i++) {
      LogSegment s = segs.get(i);
      long next = segs.get(i + 1).baseOffset();
      if (next <= firstDirty) {
        cleanBytes += s.size();
        continue;
      }
      boolean young =
          cfg.minCompactionLagMs() > 0 && s.largestTimestamp() > now - cfg.minCompactionLagMs();
      if (next > snap.highWatermark() || young) {
        firstUncleanable = s.baseOffset();
        break;
      }
      if (!firstDirtySeen) {
        firstDirtySeen = true;
        if (cfg.maxCompactionLagMs() < Long.MAX_VALUE && s.size() > 0) {
          BatchHeader h = s.records().readHeader(0, s.size());
          needNow =
              h != null
                  && h.maxTimestamp() >= 0
                  && now - h.maxTimestamp() > cfg.maxCompactionLagMs();
        }
      }
      dirtyBytes += s.size();
    }
    if (firstUncleanable < firstDirty) {
      firstUncleanable = firstDirty;
    }
    return new LogToClean(l, snap, firstDirty, firstUncleanable, cleanBytes, dirtyBytes, needNow);
  }

  /** Whether the cleaning of {@code tp} is to stop (an abort was requested). */
  synchronized boolean isAborted(TopicPartition tp) {
    return inProgress.get(tp) == State.ABORTED;
  }

  /**
   * Ends a cleaning of {@code l}: records {@code newFirstDirty} in the checkpoint of its directory
   * (when not negative) and lets waiting aborts return.
   */
  synchronized void doneCleaning(Log l, long newFirstDirty) {
    TopicPartition tp = l.topicPartition();
    try {
      if (newFirstDirty >= 0 && inProgress.get(tp) == State.IN_PROGRESS) {
        Path dir = l.dir().getParent();
        Map<TopicPartition, Long> m = checkpoints.computeIfAbsent(dir, d -> new HashMap<>());
        m.put(tp, newFirstDirty);
        writeCheckpoint(dir);
      }
    } finally {
      inProgress.remove(tp);
      notifyAll();
    }
  }

  /** Ends a cleaning that failed: the log is left alone from now on. */
  synchronized void markUncleanable(TopicPartition tp) {
    uncleanable.add(tp);
    inProgress.remove(tp);
    notifyAll();
  }

  /**
   * Stops the cleaning of {@code tp}, if one runs, and waits until it has stopped (its cleaned
   * files deleted, nothing swapped after this returns).
   */
  synchronized void abortCleaning(TopicPartition tp) {
    if (!inProgress.containsKey(tp)) {
      return;
    }
    inProgress.put(tp, State.ABORTED);
    log.info("The cleaning of log {} is being aborted", tp);
    boolean interrupted = false;
    while (inProgress.containsKey(tp)) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Aborts every cleaning in progress and waits for them to stop. */
  synchronized void abortAll() {
    for (TopicPartition tp : List.copyOf(inProgress.keySet())) {
      abortCleaning(tp);
    }
  }

  /** Forgets a deleted log: its checkpoint entry and uncleanable mark. */
  synchronized void removeLog(TopicPartition tp, Path logDir) {
    uncleanable.remove(tp);
    Map<TopicPartition, Long> m = checkpoints.get(logDir);
    if (m != null && m.remove(tp) != null) {
      writeCheckpoint(logDir);
    }
  }

  private void writeCheckpoint(Path dir) {
    OffsetCheckpointFile f = checkpointFiles.get(dir);
    if (f == null) {
      return;
    }
    try {
      f.write(checkpoints.get(dir));
    } catch (IOException e) {
      log.error("Writing {} failed: {}", f.file(), e.toString());
    }
  }
}
