package io.brook.broker.log.internals;

import io.brook.protocol.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code .log} file of one segment: record batches back to back, exactly as they were appended
 * (the layout of each is {@link RecordBatch}'s field table; nothing separates them).
 *
 * <pre>
 * offset        size        field
 * ------        ----        -----------------------------------------------
 * 0             s0          batch 0 (s0 = its batchLength + 12)
 * s0            s1          batch 1
 * ...
 * sizeInBytes()             end; bytes past it (a torn write) are not part of the file
 * </pre>
 *
 * <p>Invariant: {@link #sizeInBytes()} is the end of the last whole batch written; it is published
 * (volatile) only after the bytes are in the file, so a reader that reads up to it never sees part
 * of a batch that is still being written.
 *
 * <p>Thread rules: one writer ({@link #append}, {@link #truncateTo}, {@link #trimToSize}) at a
 * time, held by the owning segment's log lock; reads ({@link #read}, {@link #readHeader}) are
 * positional and may run concurrently with the writer and with each other.
 */
public final class FileRecords implements AutoCloseable {
  /** The header bytes the storage layer reads from each batch (the fixed header). */
  public static final int HEADER_READ_SIZE = BatchHeader.SIZE;

  private volatile Path file;
  private final FileChannel channel;
  private volatile int size;

  private FileRecords(Path file, FileChannel channel, int size) {
    this.file = file;
    this.channel = channel;
    this.size = size;
  }

  /** Opens (creating if missing) {@code file}; its size is the current file length. */
  public static FileRecords open(Path file) throws IOException {
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long len = ch.size();
    if (len > Integer.MAX_VALUE) {
      ch.close();
      throw new IOException(file + " is larger than 2 GiB (" + len + " bytes)");
    }
    return new FileRecords(file, ch, (int) len);
  }

  public Path file() {
    return file;
  }

  public int sizeInBytes() {
    return size;
  }

  /**
   * Writes all of {@code records} (position to limit) at the end of the file and then publishes the
   * new size. On an I/O error the file is cut back to its previous size (best effort) and the size
   * is unchanged.
   *
   * @return bytes written
   */
  public int append(ByteBuffer records) throws IOException {
    int start = size;
    int len = records.remaining();
    ByteBuffer src = records.duplicate();
    try {
      long pos = start;
      while (src.hasRemaining()) {
        pos += channel.write(src, pos);
      }
    } catch (IOException e) {
      try {
        channel.truncate(start);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    size = start + len;
    return len;
  }

  /** Forces the file's content and metadata to disk. */
  public void flush() throws IOException {
    channel.force(true);
  }

  /**
   * Reads {@code length} bytes from {@code position} into a new buffer of exactly that size (or
   * fewer when the file ends first; the buffer's limit says how many).
   */
  public ByteBuffer read(int position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    readFully(buf, position);
    buf.flip();
    return buf;
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        break;
      }
      pos += n;
    }
  }

  /**
   * Reads the header fields of the batch at {@code position} without checking them, or returns null
   * when fewer than {@link #HEADER_READ_SIZE} bytes lie between {@code position} and {@code end}.
   */
  public BatchHeader readHeader(int position, int end) throws IOException {
    if (end - position < HEADER_READ_SIZE) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.allocate(HEADER_READ_SIZE).order(ByteOrder.BIG_ENDIAN);
    readFully(buf, position);
    if (buf.hasRemaining()) {
      return null;
    }
    return BatchHeader.read(buf, 0, position);
  }

  /**
   * The first batch, from {@code startPosition} on, whose last offset is at least {@code
   * targetOffset}, or null if there is none before the end of the file.
   */
  public BatchHeader searchForOffset(long targetOffset, int startPosition) throws IOException {
    int end = size;
    int pos = startPosition;
    while (true) {
      BatchHeader h = readHeader(pos, end);
      if (h == null || h.size() < RecordBatch.RECORD_BATCH_OVERHEAD || pos + h.size() > end) {
        return null;
      }
      if (h.lastOffset() >= targetOffset) {
        return h;
      }
      pos += h.size();
    }
  }

  /**
   * The first batch, from {@code startPosition} on, whose max timestamp is at least {@code
   * timestamp} and whose last offset is at least {@code startingOffset}, or null.
   */
  public BatchHeader searchForTimestamp(long timestamp, int startPosition, long startingOffset)
      throws IOException {
    int end = size;
    int pos = startPosition;
    while (true) {
      BatchHeader h = readHeader(pos, end);
      if (h == null || h.size() < RecordBatch.RECORD_BATCH_OVERHEAD || pos + h.size() > end) {
        return null;
      }
      if (h.maxTimestamp() >= timestamp && h.lastOffset() >= startingOffset) {
        return h;
      }
      pos += h.size();
    }
  }

  /** Cuts the file to {@code newSize} bytes (no-op if it is not larger). */
  public void truncateTo(int newSize) throws IOException {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException(
          "cannot truncate " + file + " of " + size + " bytes to " + newSize);
    }
    if (newSize < channel.size()) {
      channel.truncate(newSize);
    }
    size = newSize;
  }

  /** Cuts anything past {@link #sizeInBytes()} (a torn tail) off the file. */
  public void trimToSize() throws IOException {
    if (channel.size() > size) {
      channel.truncate(size);
    }
  }

  /** Renames the file; the channel stays open, so concurrent reads keep working. */
  public void renameTo(Path target) throws IOException {
    Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    file = target;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  public void closeAndDelete() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }
}
