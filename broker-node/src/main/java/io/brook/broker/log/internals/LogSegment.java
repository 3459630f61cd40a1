package io.brook.broker.log.internals;

import io.brook.common.Time;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One segment of a partition's log: the batches from {@link #baseOffset()} up to the next segment's
 * base offset, in a {@link FileRecords} ({@code .log}), with its {@link OffsetIndex} ({@code
 * .index}) and {@link TimeIndex} ({@code .timeindex}). File formats are documented in those
 * classes; names in {@link LogFileNames}.
 *
 * <p>Invariants: every batch's offsets lie in [baseOffset, baseOffset + Integer.MAX_VALUE] and
 * increase from batch to batch; every index entry points at a whole batch of the file; {@link
 * #maxTimestampSoFar()} is the largest batch max timestamp in the file.
 *
 * <p>Thread rules: one writer at a time (append, truncate, recover, roll, close: the owning log
 * holds its lock); reads ({@link #read}, {@link #translateOffset}, {@link #findByTimestamp}) run
 * concurrently with the writer. A reader sees only batches whose bytes were written before the file
 * size it read was published.
 */
public final class LogSegment implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(LogSegment.class);

  /** Max timestamp so far and the last offset of the batch that first reached it. */
  private record MaxTimestamp(long timestamp, long offset) {}

  private final long baseOffset;
  private final FileRecords records;
  private final OffsetIndex offsetIndex;
  private final TimeIndex timeIndex;
  private final int indexIntervalBytes;
  private final long rollJitterMs;
  private final Time time;
  private volatile long created;
  // guarded by the owning log's lock (writer only)
  private int bytesSinceLastIndexEntry;
  private volatile MaxTimestamp maxTimestamp; // null until loaded
  private long rollingBasedTimestamp = Long.MIN_VALUE; // MIN_VALUE: not loaded; -1: none

  private LogSegment(
      long baseOffset,
      FileRecords records,
      OffsetIndex offsetIndex,
      TimeIndex timeIndex,
      int indexIntervalBytes,
      long rollJitterMs,
      Time time) {
    this.baseOffset = baseOffset;
    this.records = records;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.indexIntervalBytes = indexIntervalBytes;
    this.rollJitterMs = rollJitterMs;
    this.time = time;
    this.created = time.milliseconds();
  }

  /**
   * Opens the segment at {@code baseOffset} in {@code dir}, creating whichever of its files are
   * missing (a fresh index is preallocated to {@code maxIndexSize}).
   */
  public static LogSegment open(
      Path dir,
      long baseOffset,
      int indexIntervalBytes,
      int maxIndexSize,
      long rollJitterMs,
      Time time,
      String suffix)
      throws IOException {
    FileRecords records = FileRecords.open(LogFileNames.logFile(dir, baseOffset, suffix));
    OffsetIndex oi = null;
    try {
      oi =
          new OffsetIndex(
              LogFileNames.offsetIndexFile(dir, baseOffset, suffix), baseOffset, maxIndexSize);
      TimeIndex ti =
          new TimeIndex(
              LogFileNames.timeIndexFile(dir, baseOffset, suffix), baseOffset, maxIndexSize);
      return new LogSegment(baseOffset, records, oi, ti, indexIntervalBytes, rollJitterMs, time);
    } catch (IOException | RuntimeException e) {
      records.close();
      throw e;
    }
  }

  /** A new, empty segment: any stale files with its names (a crash leftover) are deleted first. */
  public static LogSegment create(
      Path dir,
      long baseOffset,
      int indexIntervalBytes,
      int maxIndexSize,
      long rollJitterMs,
      Time time)
      throws IOException {
    for (Path p :
        new Path[] {
          LogFileNames.logFile(dir, baseOffset, ""),
          LogFileNames.offsetIndexFile(dir, baseOffset, ""),
          LogFileNames.timeIndexFile(dir, baseOffset, "")
        }) {
      if (Files.deleteIfExists(p)) {
        log.warn("Deleted stale file {} before creating a new segment", p);
      }
    }
    LogSegment s = open(dir, baseOffset, indexIntervalBytes, maxIndexSize, rollJitterMs, time, "");
    s.maxTimestamp = new MaxTimestamp(-1L, baseOffset);
    s.rollingBasedTimestamp = -1L;
    return s;
  }

  public long baseOffset() {
    return baseOffset;
  }

  public int size() {
    return records.sizeInBytes();
  }

  public FileRecords records() {
    return records;
  }

  public OffsetIndex offsetIndex() {
    return offsetIndex;
  }

  public TimeIndex timeIndex() {
    return timeIndex;
  }

  /** Whether {@code offset} can be stored in this segment (relative offset fits an int). */
  public boolean canConvertToRelativeOffset(long offset) {
    return offsetIndex.relativeOffset(offset) >= 0;
  }

  /**
   * Appends the batches in {@code batches} (position to limit; whole, validated, offsets assigned)
   * with one write, then adds index entries, one per {@code index.interval.bytes}.
   *
   * @return the byte position at which the batches start
   */
  public int append(ByteBuffer batches) throws IOException {
    int start = records.sizeInBytes();
    ensureMaxTimestampLoaded();
    if (start == 0) {
      rollingBasedTimestamp = -1L;
    }
    records.append(batches);
    int pos = batches.position();
    int filePos = start;
    MaxTimestamp max = maxTimestamp;
    while (pos < batches.limit()) {
      BatchHeader h = BatchHeader.read(batches, pos, filePos);
      if (start == 0 && filePos == 0) {
        rollingBasedTimestamp = h.maxTimestamp();
      }
      if (h.maxTimestamp() > max.timestamp()) {
        max = new MaxTimestamp(h.maxTimestamp(), h.lastOffset());
      }
      if (bytesSinceLastIndexEntry > indexIntervalBytes) {
        offsetIndex.append(h.lastOffset(), filePos);
        timeIndex.maybeAppend(max.timestamp(), max.offset(), false);
        bytesSinceLastIndexEntry = 0;
      }
      bytesSinceLastIndexEntry += h.size();
      pos += h.size();
      filePos += h.size();
    }
    maxTimestamp = max;
    return start;
  }

  /**
   * The first batch whose last offset is at least {@code offset}, or null when this segment has
   * none.
   */
  public BatchHeader translateOffset(long offset) throws IOException {
    OffsetIndex.OffsetPosition p = offsetIndex.lookup(offset);
    return records.searchForOffset(offset, p.position());
  }

  /**
   * Reads whole batches starting with the one that holds {@code startOffset}.
   *
   * @param maxSize at most this many bytes, unless {@code minOneMessage} and the first batch alone
   *     is larger
   * @param maxOffsetExclusive no batch whose last offset reaches this; Long.MAX_VALUE for no bound
   *     other than {@code maxPosition}
   * @param maxPosition read nothing at or past this byte position
   * @return the batches (possibly none), or null when no batch of this segment reaches {@code
   *     startOffset}
   */
  public ByteBuffer read(
      long startOffset,
      int maxSize,
      long maxOffsetExclusive,
      int maxPosition,
      boolean minOneMessage)
      throws IOException {
    int end = Math.min(maxPosition, records.sizeInBytes());
    OffsetIndex.OffsetPosition p = offsetIndex.lookup(startOffset);
    BatchHeader first = null;
    int pos = p.position();
    while (true) {
      BatchHeader h = records.readHeader(pos, end);
      if (h == null || h.size() < RecordBatch.RECORD_BATCH_OVERHEAD || pos + h.size() > end) {
        break;
      }
      if (h.lastOffset() >= startOffset) {
        first = h;
        break;
      }
      pos += h.size();
    }
    if (first == null) {
      return null;
    }
    if (first.lastOffset() >= maxOffsetExclusive) {
      return ByteBuffer.allocate(0);
    }
    int limit = end;
    if (maxOffsetExclusive != Long.MAX_VALUE) {
      BatchHeader stop = records.searchForOffset(maxOffsetExclusive, first.position());
      if (stop != null && stop.position() < limit) {
        limit = stop.position();
      }
    }
    int available = limit - first.position();
    int toRead = Math.min(maxSize, available);
    if (toRead < first.size()) {
      if (!minOneMessage || first.size() > available) {
        return ByteBuffer.allocate(0);
      }
      return records.read(first.position(), first.size());
    }
    ByteBuffer buf = records.read(first.position(), toRead);
    // keep whole batches only
    int whole = 0;
    while (true) {
      int size = RecordBatch.sizeAt(buf, whole);
      if (size < RecordBatch.RECORD_BATCH_OVERHEAD || whole + size > buf.limit()) {
        break;
      }
      whole += size;
    }
    buf.limit(whole);
    return buf;
  }

  /**
   * The first batch whose max timestamp is at least {@code timestamp} and whose last offset is at
   * least {@code startingOffset}, or null.
   */
  /** The bytes of the batch {@code h} of this segment (for lookups that decode records). */
  public ByteBuffer readBatch(BatchHeader h) throws IOException {
    return records.read(h.position(), h.size());
  }

  public BatchHeader findByTimestamp(long timestamp, long startingOffset) throws IOException {
    TimeIndex.TimestampOffset t = timeIndex.lookup(timestamp);
    long from = Math.max(t.offset(), startingOffset);
    OffsetIndex.OffsetPosition p = offsetIndex.lookup(from);
    return records.searchForTimestamp(timestamp, p.position(), startingOffset);
  }

  /** The largest batch max timestamp in this segment, or -1 when none. */
  public long maxTimestampSoFar() throws IOException {
    ensureMaxTimestampLoaded();
    return maxTimestamp.timestamp();
  }

  /** The last offset of the first batch that holds {@link #maxTimestampSoFar()}. */
  public long offsetOfMaxTimestampSoFar() throws IOException {
    ensureMaxTimestampLoaded();
    return maxTimestamp.offset();
  }

  /** The timestamp retention compares: the max timestamp, else the file's modification time. */
  public long largestTimestamp() throws IOException {
    long ts = maxTimestampSoFar();
    return ts >= 0 ? ts : lastModified();
  }

  public long lastModified() throws IOException {
    return Files.getLastModifiedTime(records.file()).toMillis();
  }

  /**
   * Sets the modification time of the {@code .log} file (the cleaner records there when a cleaned
   * segment's data was first cleaned; renames keep it).
   */
  public void setLastModified(long ms) throws IOException {
    Files.setLastModifiedTime(records.file(), java.nio.file.attribute.FileTime.fromMillis(ms));
  }

  private void ensureMaxTimestampLoaded() throws IOException {
    if (maxTimestamp == null) {
      maxTimestamp = computeMaxTimestamp();
    }
  }

  /** From the time index's last entry, then the batches after it. */
  private MaxTimestamp computeMaxTimestamp() throws IOException {
    TimeIndex.TimestampOffset last = timeIndex.lastEntry();
    MaxTimestamp max = new MaxTimestamp(last.timestamp(), last.offset());
    int end = records.sizeInBytes();
    int pos = offsetIndex.lookup(last.offset()).position();
    while (true) {
      BatchHeader h = records.readHeader(pos, end);
      if (h == null || h.size() < RecordBatch.RECORD_BATCH_OVERHEAD || pos + h.size() > end) {
        break;
      }
      if (h.maxTimestamp() > max.timestamp()) {
        max = new MaxTimestamp(h.maxTimestamp(), h.lastOffset());
      }
      pos += h.size();
    }
    return max;
  }

  /** Receives batch headers; may throw the I/O errors of whatever it does with them. */
  @FunctionalInterface
  public interface HeaderVisitor {
    void visit(BatchHeader header) throws IOException;
  }

  /**
   * Calls {@code visitor} with the header of every whole batch whose last offset is at least {@code
   * fromOffset}, in order. Reads only the fixed headers, never records.
   */
  public void forEachBatchHeader(long fromOffset, HeaderVisitor visitor) throws IOException {
    int end = records.sizeInBytes();
    int pos = offsetIndex.lookup(fromOffset).position();
    while (true) {
      BatchHeader h = records.readHeader(pos, end);
      if (h == null || h.size() < RecordBatch.RECORD_BATCH_OVERHEAD || pos + h.size() > end) {
        return;
      }
      if (h.lastOffset() >= fromOffset) {
        visitor.visit(h);
      }
      pos += h.size();
    }
  }

  /** The offset after the last batch, or the base offset when the segment is empty. */
  public long readNextOffset() throws IOException {
    int end = records.sizeInBytes();
    int pos = offsetIndex.lastEntry().position();
    long next = baseOffset;
    while (true) {
      BatchHeader h = records.readHeader(pos, end);
      if (h == null || h.size() < RecordBatch.RECORD_BATCH_OVERHEAD || pos + h.size() > end) {
        return next;
      }
      next = h.nextOffset();
      pos += h.size();
    }
  }

  /**
   * Whether the next append of {@code appendSize} bytes, with offsets up to {@code lastOffset} and
   * max timestamp {@code maxTimestampInAppend}, goes into a new segment: it would pass
   * segment.bytes, the segment is older than segment.ms (age of its first batch's timestamp, or of
   * its creation when it has none), an index is full, or an offset would not fit.
   */
  public boolean shouldRoll(
      int segmentBytes,
      long segmentMs,
      int appendSize,
      long lastOffset,
      long maxTimestampInAppend,
      long now)
      throws IOException {
    int size = size();
    if (size == 0) {
      return false;
    }
    boolean reachedRollMs = timeWaitedForRoll(now, maxTimestampInAppend) > segmentMs - rollJitterMs;
    return size > segmentBytes - appendSize
        || reachedRollMs
        || offsetIndex.isFull()
        || timeIndex.isFull()
        || !canConvertToRelativeOffset(lastOffset);
  }

  private long timeWaitedForRoll(long now, long messageTimestamp) throws IOException {
    if (rollingBasedTimestamp == Long.MIN_VALUE) {
      BatchHeader h = records.readHeader(0, records.sizeInBytes());
      rollingBasedTimestamp = h == null ? -1L : h.maxTimestamp();
    }
    if (rollingBasedTimestamp >= 0) {
      return messageTimestamp - rollingBasedTimestamp;
    }
    return now - created;
  }

  /**
   * Called when this segment stops being the active one: writes the final time-index entry and
   * trims the index files to their entries.
   */
  public void onBecomeInactiveSegment() throws IOException {
    ensureMaxTimestampLoaded();
    MaxTimestamp max = maxTimestamp;
    timeIndex.maybeAppend(max.timestamp(), max.offset(), true);
    offsetIndex.trimToValidSize();
    timeIndex.trimToValidSize();
    records.trimToSize();
  }

  /** Makes the indexes writable to their full size again (the segment becomes the active one). */
  public void resizeIndexesToMax() throws IOException {
    offsetIndex.resizeToMax();
    timeIndex.resizeToMax();
  }

  public void flush() throws IOException {
    records.flush();
    offsetIndex.flush();
    timeIndex.flush();
  }

  /**
   * Removes every batch at or after the one holding {@code offset} (a batch is never split) and the
   * index entries that point at them.
   *
   * @return bytes removed
   */
  public int truncateTo(long offset) throws IOException {
    BatchHeader h = translateOffset(offset);
    if (h == null) {
      return 0;
    }
    offsetIndex.truncateTo(h.baseOffset());
    timeIndex.truncateTo(h.baseOffset());
    int before = records.sizeInBytes();
    records.truncateTo(h.position());
    bytesSinceLastIndexEntry = 0;
    if (records.sizeInBytes() == 0) {
      created = time.milliseconds();
      rollingBasedTimestamp = -1L;
      maxTimestamp = new MaxTimestamp(-1L, baseOffset);
    } else {
      maxTimestamp = computeMaxTimestamp();
    }
    return before - records.sizeInBytes();
  }

  /** What {@link #recover} found. */
  public record RecoveryResult(int truncatedBytes, long nextOffset, String reason) {}

  /**
   * Re-reads every batch from the start (size sanity, CRC via {@link RecordBatch#ensureValid},
   * offsets within the segment and increasing (gaps are allowed, as compaction leaves them), the
   * first at least {@code minFirstOffset}), rebuilds both indexes, and truncates the file at the
   * first invalid byte.
   */
  public RecoveryResult recover(long minFirstOffset) throws IOException {
    offsetIndex.reset();
    timeIndex.reset();
    offsetIndex.resizeToMax();
    timeIndex.resizeToMax();
    bytesSinceLastIndexEntry = 0;
    MaxTimestamp max = new MaxTimestamp(-1L, baseOffset);
    rollingBasedTimestamp = -1L;
    int end = records.sizeInBytes();
    int pos = 0;
    long expected = Math.max(minFirstOffset, baseOffset);
    String reason = null;
    while (pos < end) {
      BatchHeader h = records.readHeader(pos, end);
      if (h == null) {
        reason = "a partial batch header of " + (end - pos) + " bytes";
        break;
      }
      if (h.size() < RecordBatch.RECORD_BATCH_OVERHEAD) {
        reason = "a batch size of " + h.size() + " bytes";
        break;
      }
      if (pos + h.size() > end) {
        reason = "a batch of " + h.size() + " bytes with only " + (end - pos) + " bytes left";
        break;
      }
      reason = validate(h);
      if (reason != null) {
        break;
      }
      if (h.baseOffset() < expected
          || h.lastOffset() < h.baseOffset()
          || !canConvertToRelativeOffset(h.lastOffset())) {
        reason =
            "offsets "
                + h.baseOffset()
                + ".."
                + h.lastOffset()
                + " where offset "
                + expected
                + " or later was expected";
        break;
      }
      if (pos == 0) {
        rollingBasedTimestamp = h.maxTimestamp();
      }
      if (h.maxTimestamp() > max.timestamp()) {
        max = new MaxTimestamp(h.maxTimestamp(), h.lastOffset());
      }
      if (bytesSinceLastIndexEntry > indexIntervalBytes) {
        offsetIndex.append(h.lastOffset(), pos);
        timeIndex.maybeAppend(max.timestamp(), max.offset(), false);
        bytesSinceLastIndexEntry = 0;
      }
      bytesSinceLastIndexEntry += h.size();
      expected = h.nextOffset();
      pos += h.size();
    }
    maxTimestamp = max;
    int truncated = end - pos;
    if (truncated > 0) {
      records.truncateTo(pos);
    }
    // also drop a torn tail beyond the size the file was opened with
    records.trimToSize();
    long next = pos == 0 ? baseOffset : expected;
    return new RecoveryResult(truncated, next, reason);
  }

  /** Batches up to this size are checked in one read; larger ones (or garbage sizes) in chunks. */
  private static final int WHOLE_READ_LIMIT = 8 * 1024 * 1024;

  private static final int CHUNK = 64 * 1024;

  /** Checks one stored batch; returns what is wrong, or null. */
  private String validate(BatchHeader h) throws IOException {
    if (h.size() <= WHOLE_READ_LIMIT) {
      try {
        RecordBatch.wrap(records.read(h.position(), h.size())).ensureValid();
        return null;
      } catch (CorruptRecordException e) {
        return e.getMessage();
      }
    }
    ByteBuffer head = records.read(h.position(), RecordBatch.RECORD_BATCH_OVERHEAD);
    if (head.get(RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC) {
      return "record batch has magic " + head.get(RecordBatch.MAGIC_OFFSET);
    }
    long stored = Integer.toUnsignedLong(head.getInt(RecordBatch.CRC_OFFSET));
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    int pos = h.position() + RecordBatch.ATTRIBUTES_OFFSET;
    int end = h.position() + h.size();
    while (pos < end) {
      ByteBuffer chunk = records.read(pos, Math.min(CHUNK, end - pos));
      if (!chunk.hasRemaining()) {
        return "record batch runs past the end of the file";
      }
      pos += chunk.remaining();
      crc.update(chunk);
    }
    return stored == crc.getValue()
        ? null
        : "record batch at offset "
            + h.baseOffset()
            + " is corrupt: stored CRC-32C "
            + stored
            + " but computed "
            + crc.getValue();
  }

  /**
   * Checks both indexes, and that the offset index's last entry points at the batch it names.
   *
   * @throws CorruptIndexException saying what is wrong
   */
  public void sanityCheck() throws IOException {
    int logSize = records.sizeInBytes();
    offsetIndex.sanityCheck(logSize);
    timeIndex.sanityCheck(logSize);
    if (offsetIndex.entries() > 0) {
      OffsetIndex.OffsetPosition last = offsetIndex.lastEntry();
      BatchHeader h = records.readHeader(last.position(), logSize);
      if (h == null || h.lastOffset() != last.offset()) {
        throw new CorruptIndexException(
            "index "
                + offsetIndex.file()
                + " says offset "
                + last.offset()
                + " is at position "
                + last.position()
                + " but the batch there is "
                + h);
      }
    }
  }

  /** Renames the three files from {@code oldSuffix} to {@code newSuffix}. */
  public void changeFileSuffixes(String oldSuffix, String newSuffix) throws IOException {
    records.renameTo(withSuffix(records.file(), oldSuffix, newSuffix));
    offsetIndex.renameTo(withSuffix(offsetIndex.file(), oldSuffix, newSuffix));
    timeIndex.renameTo(withSuffix(timeIndex.file(), oldSuffix, newSuffix));
  }

  private static Path withSuffix(Path p, String oldSuffix, String newSuffix) {
    String name = p.getFileName().toString();
    if (!name.endsWith(oldSuffix)) {
      throw new IllegalArgumentException(p + " does not end with " + oldSuffix);
    }
    return p.resolveSibling(name.substring(0, name.length() - oldSuffix.length()) + newSuffix);
  }

  /** Trims the indexes and the file, and closes the file. */
  @Override
  public void close() throws IOException {
    try {
      if (maxTimestamp != null || records.sizeInBytes() > 0) {
        ensureMaxTimestampLoaded();
        timeIndex.maybeAppend(maxTimestamp.timestamp(), maxTimestamp.offset(), true);
      }
      offsetIndex.close();
      timeIndex.close();
      records.trimToSize();
    } finally {
      records.close();
    }
  }

  /** Closes and deletes the three files. */
  public void closeAndDelete() throws IOException {
    records.closeAndDelete();
    offsetIndex.deleteIfExists();
    timeIndex.deleteIfExists();
  }

  @Override
  public String toString() {
    return "LogSegment(baseOffset=" + baseOffset + ", size=" + size() + ")";
  }
}
