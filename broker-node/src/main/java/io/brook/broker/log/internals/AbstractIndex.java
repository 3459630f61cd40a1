package io.brook.broker.log.internals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A memory-mapped file of fixed-size entries sorted by key, searched by binary search: the common
 * part of {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p>A new index file is preallocated to {@code maxIndexSize} (rounded down to a whole number of
 * entries) and mapped whole; entries are written in place. When its segment stops being the active
 * one (roll or close) the file is trimmed to its entries, so that a file opened again holds exactly
 * {@code length / entrySize} entries. A file left untrimmed by a crash therefore shows zero entries
 * after its real ones; {@link #sanityCheck} finds them (keys stop increasing) and the loader
 * rebuilds such an index from its segment.
 *
 * <p>Thread rules: one writer (append, truncate, resize, close), serialized by the owning log's
 * lock and by {@link #lock} against each other; any number of concurrent readers. The entry count
 * and the mapping are published together as one immutable {@link View} through a volatile field,
 * written only after the entry's bytes, so a reader sees whole entries only.
 */
public abstract class AbstractIndex implements AutoCloseable {
  /** The mapping and how many entries of it are valid. Immutable. */
  protected record View(MappedByteBuffer mmap, int entries) {}

  protected final ReentrantLock lock = new ReentrantLock();
  private final long baseOffset;
  private final int maxIndexSize;
  private final int entrySize;
  private volatile Path file;
  private volatile View view;

  protected AbstractIndex(Path file, long baseOffset, int maxIndexSize, int entrySize)
      throws IOException {
    this.file = file;
    this.baseOffset = baseOffset;
    this.maxIndexSize = maxIndexSize;
    this.entrySize = entrySize;
    boolean newlyCreated = !Files.exists(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      if (newlyCreated) {
        raf.setLength(roundDown(maxIndexSize));
      }
      long len = raf.length();
      MappedByteBuffer mmap = map(raf, len);
      this.view = new View(mmap, newlyCreated ? 0 : (int) (len / entrySize));
    }
  }

  private static MappedByteBuffer map(RandomAccessFile raf, long len) throws IOException {
    MappedByteBuffer m = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, len);
    m.order(ByteOrder.BIG_ENDIAN);
    return m;
  }

  private int roundDown(int size) {
    return size / entrySize * entrySize;
  }

  public Path file() {
    return file;
  }

  public long baseOffset() {
    return baseOffset;
  }

  public int entrySize() {
    return entrySize;
  }

  public int entries() {
    return view.entries();
  }

  public int maxEntries() {
    return view.mmap().limit() / entrySize;
  }

  public boolean isFull() {
    View v = view;
    return v.entries() >= v.mmap().limit() / entrySize;
  }

  /** Size of the file holding the valid entries (what it is trimmed to). */
  public int sizeInBytes() {
    return view.entries() * entrySize;
  }

  protected View view() {
    return view;
  }

  /** Writes are done by subclasses at {@code entries * entrySize}, then published here. */
  protected void publish(MappedByteBuffer mmap, int entries) {
    view = new View(mmap, entries);
  }

  /** The relative form of {@code offset}, or -1 when it does not fit in an int. */
  public int relativeOffset(long offset) {
    long rel = offset - baseOffset;
    return rel < 0 || rel > Integer.MAX_VALUE ? -1 : (int) rel;
  }

  /**
   * The slot of the largest entry whose key is at most {@code target}, or -1 when every entry's key
   * is larger (or there are none). Keys must be non-decreasing.
   */
  protected int largestLowerBoundSlot(View v, long target, KeyReader key) {
    int entries = v.entries();
    if (entries == 0 || key.read(v.mmap(), 0) > target) {
      return -1;
    }
    int lo = 0;
    int hi = entries - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (key.read(v.mmap(), mid) <= target) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Reads the search key of a slot. */
  @FunctionalInterface
  protected interface KeyReader {
    long read(MappedByteBuffer mmap, int slot);
  }

  /** Keeps only the first {@code entries} entries. */
  protected void truncateToEntries(int entries) {
    lock.lock();
    try {
      View v = view;
      publish(v.mmap(), Math.min(entries, v.entries()));
    } finally {
      lock.unlock();
    }
  }

  /** Drops every entry. */
  public void reset() {
    truncateToEntries(0);
  }

  /**
   * Changes the file's size to {@code newSize} rounded down to whole entries (never below the valid
   * entries) and maps it again.
   *
   * @return whether the size changed
   */
  public boolean resize(int newSize) throws IOException {
    lock.lock();
    try {
      View v = view;
      int rounded = Math.max(roundDown(newSize), v.entries() * entrySize);
      if (rounded == v.mmap().limit()) {
        return false;
      }
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(rounded);
        publish(map(raf, rounded), v.entries());
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Makes room for appends again (a segment that becomes the active one). */
  public void resizeToMax() throws IOException {
    resize(maxIndexSize);
  }

  /** Trims the file to its valid entries. */
  public void trimToValidSize() throws IOException {
    resize(view.entries() * entrySize);
  }

  public void flush() {
    view.mmap().force();
  }

  /**
   * Checks that the file is what a correct writer leaves behind.
   *
   * @param logSize size of the segment's {@code .log}
   * @throws CorruptIndexException saying what is wrong
   */
  public abstract void sanityCheck(int logSize) throws IOException;

  public void renameTo(Path target) throws IOException {
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    file = target;
  }

  /** Trims the file. The mapping stays valid for readers until it is garbage collected. */
  @Override
  public void close() throws IOException {
    trimToValidSize();
  }

  public void deleteIfExists() throws IOException {
    Files.deleteIfExists(file);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + file + ", entries=" + entries() + ")";
  }
}
