package io.brook.client.producer.internals;

import io.brook.client.common.errors.InterruptException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.common.Time;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accounts for {@code buffer.memory}: every open batch reserves its bytes here when created and
 * gives them back when it completes. A caller that does not find room waits up to {@code
 * max.block.ms} and then fails with a TimeoutException. Memory itself is ordinary heap; besides
 * this back-pressure, the pool keeps the batch.size buffers of acknowledged batches for new ones
 * ({@link #takeBuffer} / {@link #returnBuffer}).
 *
 * <p>Invariant: 0 <= available <= totalMemory. Thread-safe (one lock; taken once per batch, never
 * per record).
 */
public final class BufferPool {
  private final long totalMemory;
  private final Time time;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition freed = lock.newCondition();
  private long available;
  private int waiters;
  private boolean closed;
  // @GuardedBy("lock"): buffers of acknowledged batches, most recently returned first
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

  public BufferPool(long totalMemory, Time time) {
    this.totalMemory = totalMemory;
    this.available = totalMemory;
    this.time = time;
  }

  /**
   * Reserves {@code size} bytes, waiting up to {@code maxTimeToBlockMs}.
   *
   * @throws TimeoutException when no room appeared in time
   * @throws IllegalArgumentException when size exceeds the whole buffer
   */
  public void allocate(int size, long maxTimeToBlockMs) {
    if (size > totalMemory) {
      throw new IllegalArgumentException(
          "Attempt to allocate "
              + size
              + " bytes, but there is a hard limit of "
              + totalMemory
              + " on memory allocations.");
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("Producer closed while allocating memory");
      }
      if (available >= size && waiters == 0) {
        available -= size;
        return;
      }
      long remainingNs = TimeUnit.MILLISECONDS.toNanos(maxTimeToBlockMs);
      waiters++;
      try {
        while (available < size) {
          if (closed) {
            throw new IllegalStateException("Producer closed while allocating memory");
          }
          if (remainingNs <= 0) {
            throw new TimeoutException(
                "Failed to allocate "
                    + size
                    + " bytes within the configured max blocking time "
                    + maxTimeToBlockMs
                    + " ms. Total memory: "
                    + totalMemory
                    + " bytes. Available memory: "
                    + available
                    + " bytes.");
          }
          remainingNs = freed.awaitNanos(remainingNs);
        }
        available -= size;
      } finally {
        waiters--;
        if (available > 0) {
          freed.signal();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException("interrupted while waiting for buffer memory", e);
    } finally {
      lock.unlock();
    }
  }

  public void deallocate(int size) {
    lock.lock();
    try {
      available = Math.min(totalMemory, available + size);
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A heap buffer of {@code poolableSize} bytes (batch.size) for a new batch: one a completed batch
   * gave back, or a new one. Reusing them spares the allocation (and zeroing) of batch.size bytes
   * per batch, as Kafka's pool does; the memory is accounted by {@link #allocate} either way.
   */
  public ByteBuffer takeBuffer(int poolableSize) {
    lock.lock();
    try {
      ByteBuffer b = free.pollFirst();
      if (b != null && b.capacity() == poolableSize) {
        return b.clear();
      }
      free.clear(); // a different size: batch.size is fixed per producer, so none will fit
    } finally {
      lock.unlock();
    }
    return ByteBuffer.allocate(poolableSize);
  }

  /**
   * Gives back a buffer from {@link #takeBuffer} that nothing reads any more (its batch was
   * acknowledged, so its request was sent). Kept while the free buffers stay within buffer.memory.
   */
  public void returnBuffer(ByteBuffer b) {
    lock.lock();
    try {
      if (!closed && (long) (free.size() + 1) * b.capacity() <= totalMemory) {
        free.addFirst(b);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Buffers waiting in the pool (for tests). */
  int pooledBuffers() {
    lock.lock();
    try {
      return free.size();
    } finally {
      lock.unlock();
    }
  }

  public long availableMemory() {
    lock.lock();
    try {
      return available;
    } finally {
      lock.unlock();
    }
  }

  public long totalMemory() {
    return totalMemory;
  }

  /** Threads waiting for memory: their batches should be sent at once. */
  public int queued() {
    lock.lock();
    try {
      return waiters;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes waiters, which then fail. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      free.clear();
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
