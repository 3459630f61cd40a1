package io.brook.protocol.record.internals;

import java.io.InputStream;
import java.nio.ByteBuffer;

/** An {@link InputStream} over the remaining bytes of a buffer. Not thread-safe. */
public final class ByteBufferInputStream extends InputStream {
  private final ByteBuffer buffer;

  /** Reads from a duplicate of {@code buffer}: the caller's position does not move. */
  public ByteBufferInputStream(ByteBuffer buffer) {
    this.buffer = buffer.duplicate();
  }

  @Override
  public int read() {
    return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (!buffer.hasRemaining()) {
      return -1;
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    return n;
  }

  @Override
  public long skip(long n) {
    int skipped = (int) Math.max(0, Math.min(n, buffer.remaining()));
    buffer.position(buffer.position() + skipped);
    return skipped;
  }

  @Override
  public int available() {
    return buffer.remaining();
  }
}
