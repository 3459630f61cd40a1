package io.brook.broker.log.internals;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The {@code .index} file of a segment: a sparse map from offset to the byte position in the
 * segment's {@code .log} of the batch that holds it. An entry is added for a batch once at least
 * {@code index.interval.bytes} have been written since the previous entry; a lookup finds the
 * nearest entry at or below the target and the caller scans batch headers forward from there.
 *
 * <pre>
 * offset  size  field            notes
 * ------  ----  ---------------  -------------------------------------------------------------
 *  0      4     relativeOffset   the batch's last offset minus the segment's base offset (int32)
 *  4      4     position         byte position of the batch in the .log (int32)
 * </pre>
 *
 * Entries are back to back, big-endian, strictly increasing in both fields. The file is
 * preallocated to {@code segment.index.bytes} while its segment is active and trimmed to its
 * entries afterwards.
 *
 * <p>Thread rules: as {@link AbstractIndex}: one writer, concurrent lock-free readers.
 */
public final class OffsetIndex extends AbstractIndex {
  public static final int ENTRY_SIZE = 8;

  /** An offset and the position of its batch. */
  public record OffsetPosition(long offset, int position) {}

  private static final KeyReader KEY = (m, slot) -> m.getInt(slot * ENTRY_SIZE);

  public OffsetIndex(Path file, long baseOffset, int maxIndexSize) throws IOException {
    super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
  }

  /**
   * The entry with the largest offset at most {@code targetOffset}, or (baseOffset, 0) when there
   * is none: the position from which to scan for the batch holding {@code targetOffset}.
   */
  public OffsetPosition lookup(long targetOffset) {
    View v = view();
    long rel = targetOffset - baseOffset();
    int slot = rel < 0 ? -1 : largestLowerBoundSlot(v, rel, KEY);
    return slot < 0 ? new OffsetPosition(baseOffset(), 0) : entry(v.mmap(), slot);
  }

  private OffsetPosition entry(MappedByteBuffer m, int slot) {
    return new OffsetPosition(
        baseOffset() + m.getInt(slot * ENTRY_SIZE), m.getInt(slot * ENTRY_SIZE + 4));
  }

  /** The entry in {@code slot}. */
  public OffsetPosition entry(int slot) {
    View v = view();
    if (slot < 0 || slot >= v.entries()) {
      throw new IndexOutOfBoundsException("slot " + slot + " of " + v.entries() + " in " + file());
    }
    return entry(v.mmap(), slot);
  }

  /** The last entry, or (baseOffset, 0) when empty. */
  public OffsetPosition lastEntry() {
    View v = view();
    return v.entries() == 0
        ? new OffsetPosition(baseOffset(), 0)
        : entry(v.mmap(), v.entries() - 1);
  }

  /**
   * Adds an entry. Does nothing when the index is full (entries are hints: a missing one only makes
   * a scan longer).
   *
   * @throws IllegalArgumentException when the entry would not be larger than the last one
   */
  public void append(long offset, int position) {
    lock.lock();
    try {
      View v = view();
      if (v.entries() >= v.mmap().limit() / ENTRY_SIZE) {
        return;
      }
      int rel = relativeOffset(offset);
      if (rel < 0) {
        throw new IllegalArgumentException(
            "offset " + offset + " does not fit in the index of segment " + baseOffset());
      }
      if (v.entries() > 0) {
        OffsetPosition last = entry(v.mmap(), v.entries() - 1);
        if (offset <= last.offset() || position <= last.position()) {
          throw new IllegalArgumentException(
              "index entry ("
                  + offset
                  + ", "
                  + position
                  + ") is not larger than the last one "
                  + last
                  + " in "
                  + file());
        }
      }
      int at = v.entries() * ENTRY_SIZE;
      v.mmap().putInt(at, rel);
      v.mmap().putInt(at + 4, position);
      publish(v.mmap(), v.entries() + 1);
    } finally {
      lock.unlock();
    }
  }

  /** Removes every entry whose offset is at least {@code offset}. */
  public void truncateTo(long offset) {
    View v = view();
    long rel = offset - baseOffset();
    int slot = rel < 0 ? -1 : largestLowerBoundSlot(v, rel, KEY);
    int keep;
    if (slot < 0) {
      keep = 0;
    } else if (KEY.read(v.mmap(), slot) == rel) {
      keep = slot;
    } else {
      keep = slot + 1;
    }
    truncateToEntries(keep);
  }

  @Override
  public void sanityCheck(int logSize) throws IOException {
    long len = java.nio.file.Files.size(file());
    if (len % ENTRY_SIZE != 0) {
      throw new CorruptIndexException(
          "index " + file() + " has size " + len + ", not a multiple of " + ENTRY_SIZE);
    }
    View v = view();
    int prevRel = -1;
    int prevPos = -1;
    for (int slot = 0; slot < v.entries(); slot++) {
      int rel = v.mmap().getInt(slot * ENTRY_SIZE);
      int pos = v.mmap().getInt(slot * ENTRY_SIZE + 4);
      if (rel <= prevRel || pos <= prevPos) {
        throw new CorruptIndexException(
            "index "
                + file()
                + " entry "
                + slot
                + " ("
                + rel
                + ", "
                + pos
                + ") does not follow ("
                + prevRel
                + ", "
                + prevPos
                + ")");
      }
      prevRel = rel;
      prevPos = pos;
    }
    if (prevPos >= logSize) {
      throw new CorruptIndexException(
          "index " + file() + " points at position " + prevPos + " of a " + logSize + "-byte log");
    }
  }
}
