package io.brook.broker.replica;

import java.nio.ByteBuffer;

/**
 * A per-thread direct buffer that a leader append copies a request's records into before the log
 * validates, stamps and writes them (see {@code ReplicaManager#appendToPartition}). Direct, so the
 * log's write goes from it to the page cache in one copy; reused, so an append allocates nothing.
 * Contract: the buffer is only valid until the same thread asks again, so the caller must be done
 * with it (the log never keeps it) before its next append. Appends larger than {@link #MAX_CACHED}
 * get a buffer of their own instead, so a rare huge batch does not pin memory to a thread.
 */
final class AppendScratch {
  /** The largest buffer kept per thread (a producer's batch.size is 16 KiB to 1 MiB). */
  static final int MAX_CACHED = 1 << 20;

  private static final int MIN_CAPACITY = 64 << 10;

  private static final ThreadLocal<ByteBuffer[]> CACHED =
      ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  private AppendScratch() {}

  /** A cleared buffer with {@code size} bytes of room (position 0, limit {@code size}). */
  static ByteBuffer forSize(int size) {
    if (size > MAX_CACHED) {
      return ByteBuffer.allocateDirect(size);
    }
    ByteBuffer[] slot = CACHED.get();
    ByteBuffer b = slot[0];
    if (b == null || b.capacity() < size) {
      int capacity = Math.max(MIN_CAPACITY, Integer.highestOneBit(size - 1) << 1);
      b = ByteBuffer.allocateDirect(Math.min(capacity, MAX_CACHED));
      slot[0] = b;
    }
    b.clear().limit(size);
    return b;
  }
}
