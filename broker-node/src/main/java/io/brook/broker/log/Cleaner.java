package io.brook.broker.log;

import io.brook.broker.log.internals.CleanerBatchFilter;
import io.brook.broker.log.internals.LogFileNames;
import io.brook.broker.log.internals.LogSegment;
import io.brook.broker.log.internals.OffsetMap;
import io.brook.broker.log.internals.SkimpyOffsetMap;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.Logger;

/**
 * Cleans one compacted log (Kafka's Cleaner): builds a key -> latest offset map over the dirty
 * section, then rewrites every segment from the log start to the end of that section, in groups of
 * consecutive segments that fit one segment, keeping for each key only its latest record.
 *
 * <p>What a rewritten segment keeps, record by record (Kafka's rules):
 *
 * <ul>
 *   <li>a record whose key has a later offset in the map is dropped (a newer value exists);
 *   <li>a record without a key is dropped (a compacted log cannot hold it);
 *   <li>a tombstone (null value) is kept while its segment is dirty (so every older record of its
 *       key is removed by the same cleaning) and, after that, until its timestamp is
 *       delete.retention.ms old. (Kafka counts from the tombstone's first cleaning, kept in the
 *       batch since KIP-534, or in the segment's modification time before it; Brook keeps the batch
 *       format as the producer wrote it and segment times reset whenever groups merge, so it counts
 *       from the record's timestamp, which for __consumer_offsets is the coordinator's clock when
 *       it wrote the tombstone.);
 *   <li>control batches are kept whole; a batch whose records are all dropped is removed, unless it
 *       is the last batch of a producer in the producer state, which stays as a batch without
 *       records (its header carries the producer's last sequence).
 * </ul>
 *
 * Offsets, leader epochs, timestamps and producer fields of kept records never change (see {@link
 * CleanerBatchFilter}). The rewritten group replaces the old segments through {@link
 * Log#replaceSegments} (crash-safe swap); when the log changed meanwhile (truncation, deletion) the
 * cleaning is abandoned and retried later from scratch.
 *
 * <p>Not thread-safe: each cleaner thread owns one Cleaner.
 */
final class Cleaner {
  private static final Logger log = org.apache.logging.log4j.LogManager.getLogger(LogCleaner.class);

  /** Thrown inside a cleaning when it is to stop (abort or shutdown). */
  static final class CleaningAbortedException extends RuntimeException {
    CleaningAbortedException(TopicPartition tp) {
      super("the cleaning of " + tp + " was aborted");
    }
  }

  /** What one cleaning did. */
  record CleanStats(
      long endOffset,
      int segmentsRead,
      int segmentsWritten,
      long bytesRead,
      long bytesWritten,
      long recordsRead,
      long recordsRemoved,
      int mapKeys) {}

  private final int id;
  private final long maxMapMemory;
  private final double loadFactor;
  private final int ioBufferSize;
  private final Time time;

  /**
   * @param maxMapMemory the bytes this thread's offset map may use (its share of
   *     log.cleaner.dedupe.buffer.size)
   */
  Cleaner(int id, long maxMapMemory, double loadFactor, int ioBufferSize, Time time) {
    this.id = id;
    this.maxMapMemory = maxMapMemory;
    this.loadFactor = loadFactor;
    this.ioBufferSize = ioBufferSize;
    this.time = time;
  }

  int id() {
    return id;
  }

  /**
   * Cleans {@code c.log()} from its start to {@code c.firstUncleanableOffset()} (or less, when the
   * offset map fills up first).
   *
   * @param aborted polled between batches: true stops the cleaning with {@link
   *     CleaningAbortedException}
   * @return what was done; endOffset is the new first dirty offset, or -1 when the log changed
   *     under the cleaning and nothing further was swapped
   */
  CleanStats clean(LogCleanerManager.LogToClean c, BooleanSupplier aborted) throws IOException {
    Log l = c.log();
    TopicPartition tp = l.topicPartition();
    LogConfig cfg = l.config();
    Log.CleanerSnapshot snap = c.snapshot();
    long now = time.milliseconds();
    long firstDirty = c.firstDirtyOffset();
    long end = c.firstUncleanableOffset();
    List<LogSegment> all = snap.segments();

    // 1. the offset map over the dirty section
    long needed = Math.max(1, end - firstDirty);
    long wanted = (long) Math.ceil(needed / loadFactor + 2) * SkimpyOffsetMap.BYTES_PER_ENTRY;
    OffsetMap map = new SkimpyOffsetMap(Math.min(maxMapMemory, wanted), loadFactor);
    long[] counts = new long[2]; // records read, bytes read
    boolean any = false;
    for (int i = 0; i + 1 < all.size(); i++) {
      LogSegment s = all.get(i);
      long next = all.get(i + 1).baseOffset();
      if (next <= firstDirty) {
        continue;
      }
      if (s.baseOffset() >= end) {
        break;
      }
      if (any && map.size() + (next - s.baseOffset()) > map.slots()) {
        log.debug(
            "{}: the offset map holds {} keys; cleaning up to offset {} this time",
            tp,
            map.size(),
            s.baseOffset());
        end = s.baseOffset();
        break;
      }
      forEachBatch(
          s,
          batch -> {
            check(aborted, tp);
            RecordBatch b = RecordBatch.wrap(batch);
            if (b.isControlBatch() || b.lastOffset() < firstDirty) {
              return;
            }
            for (Record r : b) {
              counts[0]++;
              if (r.hasKey() && r.offset() >= firstDirty) {
                map.put(r.key(), r.offset());
              }
            }
          });
      any = true;
    }

    // 2. rewrite [log start, end) group by group
    long deleteHorizonMs = now - cfg.deleteRetentionMs();
    List<LogSegment> cleanable = new ArrayList<>();
    for (int i = 0; i + 1 < all.size() && all.get(i).baseOffset() < end; i++) {
      cleanable.add(all.get(i));
    }
    int written = 0;
    long bytesRead = 0;
    long bytesWritten = 0;
    long removed = 0;
    for (List<LogSegment> group : groupSegmentsBySize(cleanable, all, cfg)) {
      GroupResult g =
          cleanSegments(l, group, all, map, firstDirty, deleteHorizonMs, now, snap, aborted);
      if (g == null) {
        log.info("Log {} changed during its cleaning; the cleaning is abandoned", tp);
        return new CleanStats(-1, cleanable.size(), written, bytesRead, bytesWritten, 0, 0, 0);
      }
      written++;
      bytesRead += g.bytesRead;
      bytesWritten += g.bytesWritten;
      removed += g.recordsRemoved;
    }
    return new CleanStats(
        end, cleanable.size(), written, bytesRead, bytesWritten, counts[0], removed, map.size());
  }

  private record GroupResult(long bytesRead, long bytesWritten, long recordsRemoved) {}

  /**
   * Consecutive segments whose sizes and index sizes add up to at most one segment (segment.bytes,
   * segment.index.bytes) and whose offsets fit one segment's relative offsets (Kafka's
   * groupSegmentsBySize). Every segment is in exactly one group.
   */
  static List<List<LogSegment>> groupSegmentsBySize(
      List<LogSegment> segments, List<LogSegment> all, LogConfig cfg) {
    List<List<LogSegment>> groups = new ArrayList<>();
    int i = 0;
    while (i < segments.size()) {
      List<LogSegment> group = new ArrayList<>();
      LogSegment first = segments.get(i);
      group.add(first);
      long size = first.size();
      long offsetIndexBytes = first.offsetIndex().entries() * 8L;
      long timeIndexBytes = first.timeIndex().entries() * 12L;
      i++;
      while (i < segments.size()) {
        LogSegment s = segments.get(i);
        long nextBase = nextBaseOffset(s, all);
        if (size + s.size() > cfg.segmentBytes()
            || offsetIndexBytes + s.offsetIndex().entries() * 8L > cfg.maxIndexSize()
            || timeIndexBytes + s.timeIndex().entries() * 12L > cfg.maxIndexSize()
            || nextBase - 1 - first.baseOffset() > Integer.MAX_VALUE) {
          break;
        }
        group.add(s);
        size += s.size();
        offsetIndexBytes += s.offsetIndex().entries() * 8L;
        timeIndexBytes += s.timeIndex().entries() * 12L;
        i++;
      }
      groups.add(group);
    }
    return groups;
  }

  private static long nextBaseOffset(LogSegment s, List<LogSegment> all) {
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) == s) {
        return i + 1 < all.size() ? all.get(i + 1).baseOffset() : Long.MAX_VALUE;
      }
    }
    throw new IllegalArgumentException(s + " is not a segment of the log");
  }

  /** Rewrites one group into a .cleaned segment and swaps it in; null when the log changed. */
  private GroupResult cleanSegments(
      Log l,
      List<LogSegment> group,
      List<LogSegment> all,
      OffsetMap map,
      long firstDirty,
      long deleteHorizonMs,
      long now,
      Log.CleanerSnapshot snap,
      BooleanSupplier aborted)
      throws IOException {
    TopicPartition tp = l.topicPartition();
    LogConfig cfg = l.config();
    long base = group.get(0).baseOffset();
    Path dir = l.dir();
    for (Path p :
        new Path[] {
          LogFileNames.logFile(dir, base, LogFileNames.CLEANED_SUFFIX),
          LogFileNames.offsetIndexFile(dir, base, LogFileNames.CLEANED_SUFFIX),
          LogFileNames.timeIndexFile(dir, base, LogFileNames.CLEANED_SUFFIX)
        }) {
      Files.deleteIfExists(p);
    }
    LogSegment cleaned =
        LogSegment.open(
            dir,
            base,
            cfg.indexIntervalBytes(),
            cfg.maxIndexSize(),
            cfg.segmentJitterMs(),
            time,
            LogFileNames.CLEANED_SUFFIX);
    boolean swapped = false;
    try {
      long modified = -1;
      long[] stats = new long[3]; // bytes read, bytes written, records removed
      ByteBuffer[] out = {ByteBuffer.allocate(ioBufferSize)};
      for (LogSegment s : group) {
        boolean dirty = nextBaseOffset(s, all) > firstDirty;
        modified = Math.max(modified, s.lastModified());
        forEachBatch(
            s,
            batch -> {
              check(aborted, tp);
              stats[0] += batch.remaining();
              ByteBuffer keep = filterBatch(batch, map, dirty, deleteHorizonMs, snap, stats);
              if (keep == null) {
                return;
              }
              if (out[0].remaining() < keep.remaining()) {
                flushOut(cleaned, out[0]);
                if (out[0].capacity() < keep.remaining()) {
                  out[0] = ByteBuffer.allocate(keep.remaining());
                }
              }
              stats[1] += keep.remaining();
              out[0].put(keep);
            });
      }
      flushOut(cleaned, out[0]);
      cleaned.onBecomeInactiveSegment();
      cleaned.flush();
      cleaned.setLastModified(modified >= 0 ? modified : now);
      check(aborted, tp);
      swapped = l.replaceSegments(group, cleaned, snap.version());
      if (!swapped) {
        return null;
      }
      log.debug(
          "{}: cleaned segment(s) {} into one of {} bytes ({} records removed)",
          tp,
          group.stream().map(LogSegment::baseOffset).toList(),
          stats[1],
          stats[2]);
      return new GroupResult(stats[0], stats[1], stats[2]);
    } finally {
      if (!swapped) {
        cleaned.closeAndDelete();
      }
    }
  }

  private static void flushOut(LogSegment cleaned, ByteBuffer out) throws IOException {
    out.flip();
    if (out.hasRemaining()) {
      cleaned.append(out);
    }
    out.clear();
  }

  /** The bytes to keep of one batch (the batch itself, a rebuilt one) or null to drop it. */
  private static ByteBuffer filterBatch(
      ByteBuffer batch,
      OffsetMap map,
      boolean dirtySegment,
      long deleteHorizonMs,
      Log.CleanerSnapshot snap,
      long[] stats) {
    RecordBatch b = RecordBatch.wrap(batch);
    if (b.isControlBatch()) {
      return batch;
    }
    Long producerLast =
        b.producerId() >= 0 ? snap.lastBatchOffsetByProducer().get(b.producerId()) : null;
    boolean keepEmpty = producerLast != null && producerLast == b.lastOffset();
    CleanerBatchFilter.Result r =
        CleanerBatchFilter.filter(
            batch,
            rec -> {
              if (!rec.hasKey()) {
                return false;
              }
              long found = map.get(rec.key());
              if (found > rec.offset()) {
                return false;
              }
              return rec.hasValue() || dirtySegment || rec.timestamp() > deleteHorizonMs;
            },
            keepEmpty);
    stats[2] += r.removedRecords();
    return switch (r.outcome()) {
      case RETAINED -> batch;
      case FILTERED, EMPTIED -> r.batch();
      case REMOVED -> null;
    };
  }

  /** Receives one whole batch (position 0, limit = its size). */
  @FunctionalInterface
  interface BatchVisitor {
    void visit(ByteBuffer batch) throws IOException;
  }

  /**
   * Every whole batch of {@code s} in order, read {@code ioBufferSize} bytes at a time (a larger
   * batch alone).
   *
   * @throws CorruptRecordException a batch whose size field cannot be right
   */
  private void forEachBatch(LogSegment s, BatchVisitor visitor) throws IOException {
    int size = s.size();
    int pos = 0;
    while (pos < size) {
      ByteBuffer buf = s.records().read(pos, Math.min(ioBufferSize, size - pos));
      int off = 0;
      while (true) {
        int bs = RecordBatch.sizeAt(buf, off);
        if (bs < 0) {
          break;
        }
        if (bs < RecordBatch.RECORD_BATCH_OVERHEAD) {
          throw new CorruptRecordException(
              "batch of " + bs + " bytes at position " + (pos + off) + " of " + s);
        }
        if (off + bs > buf.limit()) {
          break;
        }
        visitor.visit(buf.duplicate().position(off).limit(off + bs).slice());
        off += bs;
      }
      if (off == 0) {
        int bs = RecordBatch.sizeAt(buf, 0);
        if (bs < 0 || pos + bs > size) {
          throw new CorruptRecordException(
              "truncated batch at position " + pos + " of " + s + " (" + size + " bytes)");
        }
        visitor.visit(s.records().read(pos, bs));
        off = bs;
      }
      pos += off;
    }
  }

  private static void check(BooleanSupplier aborted, TopicPartition tp) {
    if (aborted.getAsBoolean()) {
      throw new CleaningAbortedException(tp);
    }
  }
}
