package io.brook.broker.log.internals;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code .timeindex} file of a segment: a sparse map from timestamp to offset. Each entry says
 * "the largest batch max timestamp in this segment up to here is {@code timestamp}, first reached
 * by the batch whose last offset is {@code baseOffset + relativeOffset}"; so every batch before
 * that one has a max timestamp below {@code timestamp}. Entries are added next to offset-index
 * entries, only when the timestamp grows, plus one final entry when the segment rolls or closes.
 *
 * <pre>
 * offset  size  field            notes
 * ------  ----  ---------------  -------------------------------------------------------------
 *  0      8     timestamp        largest max timestamp so far (int64, ms), strictly increasing
 *  8      4     relativeOffset   last offset of the batch that reached it, minus the segment's
 *                                base offset (int32), non-decreasing
 * </pre>
 *
 * Entries are back to back, big-endian; the file is preallocated and trimmed as the offset index.
 * One slot is kept free while the segment is active so that the final entry always fits.
 *
 * <p>Thread rules: as {@link AbstractIndex}: one writer, concurrent lock-free readers.
 */
public final class TimeIndex extends AbstractIndex {
  public static final int ENTRY_SIZE = 12;

  /** A timestamp and an offset. */
  public record TimestampOffset(long timestamp, long offset) {}

  private static final KeyReader TIMESTAMP_KEY = (m, slot) -> m.getLong(slot * ENTRY_SIZE);
  private static final KeyReader OFFSET_KEY = (m, slot) -> m.getInt(slot * ENTRY_SIZE + 8);

  public TimeIndex(Path file, long baseOffset, int maxIndexSize) throws IOException {
    super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
  }

  /** Full one entry early: the last slot is for the entry written at roll. */
  @Override
  public boolean isFull() {
    View v = view();
    return v.entries() >= v.mmap().limit() / ENTRY_SIZE - 1;
  }

  private TimestampOffset entry(MappedByteBuffer m, int slot) {
    return new TimestampOffset(
        m.getLong(slot * ENTRY_SIZE), baseOffset() + m.getInt(slot * ENTRY_SIZE + 8));
  }

  /** The last entry, or (-1, baseOffset) when empty. */
  public TimestampOffset lastEntry() {
    View v = view();
    return v.entries() == 0
        ? new TimestampOffset(-1L, baseOffset())
        : entry(v.mmap(), v.entries() - 1);
  }

  /** The entry in {@code slot}. */
  public TimestampOffset entry(int slot) {
    View v = view();
    if (slot < 0 || slot >= v.entries()) {
      throw new IndexOutOfBoundsException("slot " + slot + " of " + v.entries() + " in " + file());
    }
    return entry(v.mmap(), slot);
  }

  /**
   * The entry with the largest timestamp at most {@code targetTimestamp}, or (-1, baseOffset): the
   * offset from which to scan for the first batch whose max timestamp reaches the target.
   */
  public TimestampOffset lookup(long targetTimestamp) {
    View v = view();
    int slot = largestLowerBoundSlot(v, targetTimestamp, TIMESTAMP_KEY);
    return slot < 0 ? new TimestampOffset(-1L, baseOffset()) : entry(v.mmap(), slot);
  }

  /**
   * Adds (timestamp, offset) when timestamp is larger than the last entry's. With {@code
   * skipFullCheck} the reserved last slot may be used (the final entry at roll); otherwise a full
   * index is left as it is.
   */
  public void maybeAppend(long timestamp, long offset, boolean skipFullCheck) {
    lock.lock();
    try {
      View v = view();
      int capacity = v.mmap().limit() / ENTRY_SIZE;
      if (v.entries() >= capacity || (!skipFullCheck && v.entries() >= capacity - 1)) {
        return;
      }
      if (timestamp < 0) {
        return;
      }
      int rel = relativeOffset(offset);
      if (rel < 0) {
        throw new IllegalArgumentException(
            "offset " + offset + " does not fit in the time index of segment " + baseOffset());
      }
      if (v.entries() > 0) {
        TimestampOffset last = entry(v.mmap(), v.entries() - 1);
        if (timestamp <= last.timestamp()) {
          return;
        }
        if (offset < last.offset()) {
          throw new IllegalArgumentException(
              "time index entry ("
                  + timestamp
                  + ", "
                  + offset
                  + ") goes back from "
                  + last
                  + " in "
                  + file());
        }
      }
      int at = v.entries() * ENTRY_SIZE;
      v.mmap().putLong(at, timestamp);
      v.mmap().putInt(at + 8, rel);
      publish(v.mmap(), v.entries() + 1);
    } finally {
      lock.unlock();
    }
  }

  /** Removes every entry whose offset is at least {@code offset}. */
  public void truncateTo(long offset) {
    View v = view();
    long rel = offset - baseOffset();
    // offsets are non-decreasing: keep the entries strictly below rel
    int keep = 0;
    if (rel > 0) {
      int slot = largestLowerBoundSlot(v, rel - 1, OFFSET_KEY);
      keep = slot + 1;
    }
    truncateToEntries(keep);
  }

  @Override
  public void sanityCheck(int logSize) throws IOException {
    long len = Files.size(file());
    if (len % ENTRY_SIZE != 0) {
      throw new CorruptIndexException(
          "time index " + file() + " has size " + len + ", not a multiple of " + ENTRY_SIZE);
    }
    View v = view();
    long prevTs = Long.MIN_VALUE;
    int prevRel = 0;
    for (int slot = 0; slot < v.entries(); slot++) {
      long ts = v.mmap().getLong(slot * ENTRY_SIZE);
      int rel = v.mmap().getInt(slot * ENTRY_SIZE + 8);
      if (ts <= prevTs || ts < 0 || rel < prevRel) {
        throw new CorruptIndexException(
            "time index "
                + file()
                + " entry "
                + slot
                + " ("
                + ts
                + ", "
                + rel
                + ") does not follow ("
                + prevTs
                + ", "
                + prevRel
                + ")");
      }
      prevTs = ts;
      prevRel = rel;
    }
    if (v.entries() > 0 && logSize == 0) {
      throw new CorruptIndexException("time index " + file() + " has entries for an empty log");
    }
  }
}
