package io.brook.protocol.record.internals;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * An {@link OutputStream} over a heap {@link ByteBuffer} that grows (doubling, never beyond {@code
 * maxCapacity}) as bytes are written. Callers may also write straight into {@link #buffer()} after
 * {@link #ensureRemaining}, which is how the batch builder appends records without copying.
 *
 * <p>Not thread-safe. The buffer returned by {@link #buffer()} is replaced when the stream grows,
 * so it must be fetched again after every {@link #ensureRemaining} or write.
 */
public final class ByteBufferOutputStream extends OutputStream {
  /** The largest array a JVM reliably allocates. */
  public static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

  private final int maxCapacity;
  private ByteBuffer buffer;

  public ByteBufferOutputStream(int initialCapacity) {
    this(initialCapacity, MAX_ARRAY_SIZE);
  }

  public ByteBufferOutputStream(int initialCapacity, int maxCapacity) {
    if (initialCapacity < 0 || maxCapacity < initialCapacity) {
      throw new IllegalArgumentException(
          "capacity " + initialCapacity + " outside [0, " + maxCapacity + "]");
    }
    this.maxCapacity = maxCapacity;
    this.buffer = ByteBuffer.allocate(initialCapacity);
  }

  /**
   * Writes into {@code initial} (cleared first; a heap buffer, e.g. one reused from a pool) until
   * it must grow, after which {@link #buffer()} is a new buffer and {@code initial} is no longer
   * written.
   */
  public ByteBufferOutputStream(ByteBuffer initial) {
    if (initial.isReadOnly() || !initial.hasArray()) {
      throw new IllegalArgumentException("need a writable heap buffer");
    }
    this.maxCapacity = MAX_ARRAY_SIZE;
    this.buffer = initial.clear();
  }

  /** The live buffer: bytes written so far are [0, position). */
  public ByteBuffer buffer() {
    return buffer;
  }

  public int position() {
    return buffer.position();
  }

  public void position(int position) {
    ensureCapacity(position);
    buffer.position(position);
  }

  /** Makes room for {@code n} more bytes after the position. */
  public void ensureRemaining(int n) {
    if (buffer.remaining() < n) {
      ensureCapacity(Math.addExact(buffer.position(), n));
    }
  }

  private void ensureCapacity(int needed) {
    if (needed <= buffer.capacity()) {
      return;
    }
    if (needed > maxCapacity) {
      throw new IllegalStateException(
          "buffer would need " + needed + " bytes, more than its limit of " + maxCapacity);
    }
    int doubled = (int) Math.min(maxCapacity, 2L * buffer.capacity());
    ByteBuffer grown = ByteBuffer.allocate(Math.max(needed, doubled));
    buffer.flip();
    grown.put(buffer);
    buffer = grown;
  }

  @Override
  public void write(int b) {
    ensureRemaining(1);
    buffer.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensureRemaining(len);
    buffer.put(b, off, len);
  }

  public void write(ByteBuffer src) {
    ensureRemaining(src.remaining());
    buffer.put(src);
  }
}
