package io.brook.broker.log.internals;

import io.brook.broker.log.LogConfig;
import io.brook.common.Time;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Opens a partition directory and brings it to a consistent state, treating what a crash leaves
 * behind as normal:
 *
 * <ol>
 *   <li>files in transition are settled: {@code .tmp}, {@code .deleted} and {@code .cleaned} files
 *       are deleted; a {@code .log.swap} (a finished replacement segment) is renamed into place,
 *       its indexes rebuilt, and the segments it replaces are deleted; index files without a {@code
 *       .log} are deleted;
 *   <li>without a clean shutdown, every segment from the one holding the recovery point on is
 *       re-read batch by batch ({@link LogSegment#recover}: size, CRC, increasing offsets) and its
 *       indexes rebuilt; at the first invalid byte the segment is truncated and every later segment
 *       deleted;
 *   <li>every other segment's indexes are sanity-checked and rebuilt if missing or inconsistent;
 *   <li>the log start offset is the larger of the checkpoint and the first segment's base; if it
 *       lies past the end, the log starts over, empty, at it.
 * </ol>
 *
 * <p>Stateless; called by one thread per log, before the log is shared.
 */
public final class LogLoader {
  private static final Logger log = LogManager.getLogger(LogLoader.class);

  /** A loaded log's segments and offsets. */
  public record LoadedLog(
      LogSegments segments, long logStartOffset, long recoveryPoint, long nextOffset) {}

  private LogLoader() {}

  public static LoadedLog load(
      Path dir,
      String name,
      LogConfig config,
      long logStartOffsetCheckpoint,
      long recoveryPointCheckpoint,
      boolean hadCleanShutdown,
      Time time)
      throws IOException {
    Files.createDirectories(dir);
    List<Long> swapped = settleFilesInTransition(dir, name);
    deleteOrphanIndexes(dir);

    TreeMap<Long, Boolean> bases = new TreeMap<>(); // base -> indexes existed
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LogFileNames.LOG_SUFFIX)) {
      for (Path p : ds) {
        long base = LogFileNames.offsetFromFileName(p.getFileName().toString());
        if (base < 0) {
          log.warn("Ignoring {}: not a segment name", p);
          continue;
        }
        boolean indexes =
            Files.exists(LogFileNames.offsetIndexFile(dir, base, ""))
                && Files.exists(LogFileNames.timeIndexFile(dir, base, ""));
        bases.put(base, indexes);
      }
    }

    LogSegments segments = new LogSegments();
    for (var e : bases.entrySet()) {
      segments.add(open(dir, e.getKey(), config, time, ""));
    }

    for (long base : swapped) {
      LogSegment s = segments.get(base);
      if (s == null) {
        continue;
      }
      long next = s.recover(base).nextOffset();
      for (LogSegment other : segments.values()) {
        if (other.baseOffset() > base && other.baseOffset() < next) {
          log.info("{}: deleting segment {} replaced by swapped segment {}", name, other, base);
          segments.remove(other.baseOffset());
          other.closeAndDelete();
        }
      }
    }

    Long recoverFrom = null;
    if (!hadCleanShutdown) {
      LogSegment floor = segments.floor(recoveryPointCheckpoint);
      recoverFrom = floor == null ? Long.MIN_VALUE : floor.baseOffset();
    }
    TreeMap<Long, Long> recoveredNext = new TreeMap<>();
    long prevNext = Long.MIN_VALUE;
    List<LogSegment> all = segments.values();
    for (int i = 0; i < all.size(); i++) {
      LogSegment s = all.get(i);
      boolean recover = recoverFrom != null && s.baseOffset() >= recoverFrom;
      if (!recover && !bases.getOrDefault(s.baseOffset(), false)) {
        log.info("{}: rebuilding the missing index of segment {}", name, s.baseOffset());
        recover = true;
      }
      if (!recover) {
        try {
          s.sanityCheck();
        } catch (CorruptIndexException ex) {
          log.warn(
              "{}: rebuilding the index of segment {}: {}", name, s.baseOffset(), ex.getMessage());
          recover = true;
        }
      }
      if (!recover) {
        prevNext = Long.MIN_VALUE;
        continue;
      }
      LogSegment.RecoveryResult r = s.recover(Math.max(prevNext, s.baseOffset()));
      prevNext = r.nextOffset();
      recoveredNext.put(s.baseOffset(), r.nextOffset());
      if (r.truncatedBytes() > 0) {
        log.warn(
            "{}: truncated {} invalid bytes at the end of segment {} ({}); deleting {} later"
                + " segment(s)",
            name,
            r.truncatedBytes(),
            s.baseOffset(),
            r.reason(),
            all.size() - i - 1);
        for (int j = i + 1; j < all.size(); j++) {
          segments.remove(all.get(j).baseOffset());
          all.get(j).closeAndDelete();
        }
        break;
      }
    }

    for (LogSegment s : segments.values()) {
      if (recoveredNext.containsKey(s.baseOffset()) && s != segments.last()) {
        s.onBecomeInactiveSegment(); // rebuilt indexes were sized for appends: trim them
      }
    }
    if (segments.isEmpty()) {
      segments.add(create(dir, Math.max(0, logStartOffsetCheckpoint), config, time));
    }
    LogSegment last = segments.last();
    Long known = recoveredNext.get(last.baseOffset());
    long nextOffset = known != null ? known : last.readNextOffset();
    long logStartOffset = Math.max(logStartOffsetCheckpoint, segments.first().baseOffset());
    if (logStartOffset > nextOffset) {
      log.warn(
          "{}: log start offset {} is past the log end offset {}; starting over, empty, at it",
          name,
          logStartOffset,
          nextOffset);
      for (LogSegment s : segments.values()) {
        segments.remove(s.baseOffset());
        s.closeAndDelete();
      }
      segments.add(create(dir, logStartOffset, config, time));
      nextOffset = logStartOffset;
    }
    long recoveryPoint =
        hadCleanShutdown
            ? nextOffset
            : Math.max(Math.min(recoveryPointCheckpoint, nextOffset), logStartOffset);
    segments.last().resizeIndexesToMax();
    return new LoadedLog(segments, logStartOffset, recoveryPoint, nextOffset);
  }

  public static LogSegment create(Path dir, long base, LogConfig config, Time time)
      throws IOException {
    return LogSegment.create(
        dir,
        base,
        config.indexIntervalBytes(),
        config.maxIndexSize(),
        config.segmentJitterMs(),
        time);
  }

  private static LogSegment open(Path dir, long base, LogConfig config, Time time, String suffix)
      throws IOException {
    return LogSegment.open(
        dir,
        base,
        config.indexIntervalBytes(),
        config.maxIndexSize(),
        config.segmentJitterMs(),
        time,
        suffix);
  }

  /** Deletes temporary, deleted and cleaned files; completes swaps. Returns the swapped bases. */
  private static List<Long> settleFilesInTransition(Path dir, String name) throws IOException {
    List<Path> swaps = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        if (f.endsWith(LogFileNames.TMP_SUFFIX)
            || f.endsWith(LogFileNames.DELETED_SUFFIX)
            || f.endsWith(LogFileNames.CLEANED_SUFFIX)) {
          log.info("{}: deleting leftover file {}", name, p);
          Files.deleteIfExists(p);
        } else if (f.endsWith(LogFileNames.SWAP_SUFFIX)) {
          swaps.add(p);
        }
      }
    }
    List<Long> swapped = new ArrayList<>();
    for (Path p : swaps) {
      String f = p.getFileName().toString();
      String target = f.substring(0, f.length() - LogFileNames.SWAP_SUFFIX.length());
      long base = LogFileNames.offsetFromFileName(target);
      if (target.endsWith(LogFileNames.LOG_SUFFIX) && base >= 0) {
        log.info("{}: completing the swap of segment {}", name, base);
        Files.move(p, dir.resolve(target), StandardCopyOption.REPLACE_EXISTING);
        // the old segment's indexes no longer match: rebuilt by recover()
        Files.deleteIfExists(LogFileNames.offsetIndexFile(dir, base, ""));
        Files.deleteIfExists(LogFileNames.timeIndexFile(dir, base, ""));
        swapped.add(base);
      } else {
        Files.deleteIfExists(p); // index swaps: rebuilt from the swapped log
      }
    }
    return swapped;
  }

  private static void deleteOrphanIndexes(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        if (f.endsWith(LogFileNames.INDEX_SUFFIX) || f.endsWith(LogFileNames.TIME_INDEX_SUFFIX)) {
          long base = LogFileNames.offsetFromFileName(f);
          if (base >= 0 && !Files.exists(LogFileNames.logFile(dir, base, ""))) {
            log.info("Deleting index {} whose segment does not exist", p);
            Files.delete(p);
          }
        }
      }
    }
  }
}
