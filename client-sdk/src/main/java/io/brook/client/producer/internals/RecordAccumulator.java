package io.brook.client.producer.internals;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.producer.Callback;
import io.brook.common.Header;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-partition queues of batches between the threads that call send() and the sender thread.
 *
 * <p>Each partition has a deque of batches, oldest first; only the last one is open for appends.
 * Appending takes the deque's lock only (never a global one); memory for a new batch is reserved
 * from the {@link BufferPool} outside the lock. The sender thread asks which leaders have a
 * sendable batch ({@link #ready}), takes batches off the front ({@link #drain}), puts failed ones
 * back at the front for a retry ({@link #reenqueue}), and removes those past {@code
 * delivery.timeout.ms} ({@link #expiredBatches}).
 *
 * <p>A batch is sendable when it is full (or not the only one in its deque), when it waited {@code
 * linger.ms} ({@code retry.backoff.ms} after a failed attempt), when a flush or close is in
 * progress, or when senders are blocked waiting for memory.
 *
 * <p>Thread-safe: the map is concurrent, each deque is guarded by its own monitor, and every batch
 * not yet completed is listed in {@link #incomplete} for flush() and forced close.
 */
public final class RecordAccumulator {
  private final int batchSize;
  private final CompressionType compression;
  private final long lingerMs;
  private final long retryBackoffMs;
  private final int deliveryTimeoutMs;
  private final BufferPool free;
  private final ConcurrentMap<TopicPartition, Deque<ProducerBatch>> batches =
      new ConcurrentHashMap<>();
  private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
  private final AtomicInteger flushesInProgress = new AtomicInteger();
  private final Map<Integer, Integer> drainIndex = new HashMap<>();
  private volatile boolean closed;

  public RecordAccumulator(
      int batchSize,
      CompressionType compression,
      long lingerMs,
      long retryBackoffMs,
      int deliveryTimeoutMs,
      BufferPool free) {
    this.batchSize = batchSize;
    this.compression = compression;
    this.lingerMs = lingerMs;
    this.retryBackoffMs = retryBackoffMs;
    this.deliveryTimeoutMs = deliveryTimeoutMs;
    this.free = free;
  }

  /** What {@link #append} did. */
  public record RecordAppendResult(
      FutureRecordMetadata future,
      boolean batchIsFull,
      boolean newBatchCreated,
      boolean abortForNewBatch) {}

  /**
   * Appends a record to the partition's open batch, or to a new one.
   *
   * @param abortOnNewBatch when a new batch would be needed, return without appending (so that a
   *     sticky partitioner can pick another partition first)
   * @throws io.brook.client.common.errors.TimeoutException when memory for a new batch did not free
   *     up within {@code maxBlockMs}
   */
  public RecordAppendResult append(
      TopicPartition tp,
      long timestamp,
      byte[] key,
      byte[] value,
      Header[] headers,
      Callback callback,
      long maxBlockMs,
      boolean abortOnNewBatch,
      long nowMs) {
    if (closed) {
      throw new IllegalStateException("Cannot send after the producer is closed.");
    }
    Deque<ProducerBatch> dq = getOrCreateDeque(tp);
    synchronized (dq) {
      RecordAppendResult r = tryAppend(timestamp, key, value, headers, callback, dq);
      if (r != null) {
        return r;
      }
    }
    if (abortOnNewBatch) {
      return new RecordAppendResult(null, false, false, true);
    }
    int size =
        Math.max(batchSize, RecordBatchBuilder.estimateSizeInBytesUpperBound(key, value, headers));
    free.allocate(size, maxBlockMs);
    boolean used = false;
    try {
      synchronized (dq) {
        if (closed) {
          throw new IllegalStateException("Cannot send after the producer is closed.");
        }
        RecordAppendResult r = tryAppend(timestamp, key, value, headers, callback, dq);
        if (r != null) {
          return r; // another thread opened a batch meanwhile
        }
        ProducerBatch batch =
            new ProducerBatch(
                tp,
                compression,
                batchSize,
                size,
                nowMs,
                size == batchSize ? free.takeBuffer(batchSize) : null);
        FutureRecordMetadata f = batch.tryAppend(timestamp, key, value, headers, callback);
        dq.addLast(batch);
        incomplete.add(batch);
        used = true;
        return new RecordAppendResult(f, dq.size() > 1 || batch.isFull(), true, false);
      }
    } finally {
      if (!used) {
        free.deallocate(size);
      }
    }
  }

  private static RecordAppendResult tryAppend(
      long timestamp,
      byte[] key,
      byte[] value,
      Header[] headers,
      Callback callback,
      Deque<ProducerBatch> dq) {
    ProducerBatch last = dq.peekLast();
    if (last == null || last.isClosed()) {
      return null;
    }
    FutureRecordMetadata f = last.tryAppend(timestamp, key, value, headers, callback);
    if (f == null) {
      return null;
    }
    return new RecordAppendResult(f, dq.size() > 1 || last.isFull(), false, false);
  }

  private Deque<ProducerBatch> getOrCreateDeque(TopicPartition tp) {
    Deque<ProducerBatch> d = batches.get(tp);
    if (d != null) {
      return d;
    }
    return batches.computeIfAbsent(tp, k -> new ArrayDeque<>());
  }

  /** The leaders with sendable data, when to check again, and partitions without a known leader. */
  public record ReadyCheckResult(
      Set<Node> readyNodes, long nextReadyCheckDelayMs, Set<String> unknownLeaderTopics) {}

  public ReadyCheckResult ready(Cluster cluster, long nowMs) {
    Set<Node> ready = new HashSet<>();
    Set<String> unknown = new HashSet<>();
    long next = Long.MAX_VALUE;
    boolean exhausted = free.queued() > 0;
    boolean flushing = flushesInProgress.get() > 0;
    for (Map.Entry<TopicPartition, Deque<ProducerBatch>> e : batches.entrySet()) {
      Deque<ProducerBatch> dq = e.getValue();
      ProducerBatch first;
      boolean full;
      synchronized (dq) {
        first = dq.peekFirst();
        if (first == null) {
          continue;
        }
        full = dq.size() > 1 || first.isFull();
      }
      Node leader = cluster.leaderFor(e.getKey());
      if (leader == null) {
        unknown.add(e.getKey().topic());
        continue;
      }
      if (ready.contains(leader)) {
        continue;
      }
      boolean backingOff = first.attempts > 0 && nowMs - first.lastAttemptMs < retryBackoffMs;
      long waited = nowMs - (first.attempts > 0 ? first.lastAttemptMs : first.createdMs);
      long timeToWait = first.attempts > 0 ? retryBackoffMs : lingerMs;
      boolean sendable = full || waited >= timeToWait || exhausted || flushing || closed;
      if (sendable && !backingOff) {
        ready.add(leader);
      } else {
        next = Math.min(next, Math.max(0, timeToWait - waited));
      }
    }
    return new ReadyCheckResult(ready, next, unknown);
  }

  /**
   * Takes sendable batches for {@code node}'s partitions, at most one per partition, until {@code
   * maxSize} bytes (at least one batch). Starts at a rotating partition so that none starves.
   */
  public List<ProducerBatch> drain(Cluster cluster, Node node, int maxSize, long nowMs) {
    return drain(cluster, node, maxSize, nowMs, null);
  }

  /**
   * As {@link #drain(Cluster, Node, int, long)}, for an idempotent producer: a batch leaves its
   * queue only when {@code idempotence} allows it (a producer id is known, retries go out in
   * sequence order) and gets its producer id and sequence as it leaves.
   */
  public List<ProducerBatch> drain(
      Cluster cluster, Node node, int maxSize, long nowMs, IdempotenceManager idempotence) {
    List<PartitionInfo> parts = cluster.partitionsForNode(node.id());
    List<ProducerBatch> out = new ArrayList<>();
    if (parts.isEmpty()) {
      return out;
    }
    int size = 0;
    int start = drainIndex.getOrDefault(node.id(), 0) % parts.size();
    int i = start;
    do {
      PartitionInfo p = parts.get(i);
      i = (i + 1) % parts.size();
      TopicPartition tp = new TopicPartition(p.topic(), p.partition());
      Deque<ProducerBatch> dq = batches.get(tp);
      if (dq == null) {
        continue;
      }
      synchronized (dq) {
        ProducerBatch first = dq.peekFirst();
        if (first == null) {
          continue;
        }
        if (first.attempts > 0 && nowMs - first.lastAttemptMs < retryBackoffMs) {
          continue;
        }
        if (!out.isEmpty() && size + first.estimatedSizeInBytes() > maxSize) {
          break;
        }
        if (idempotence != null) {
          if (!idempotence.readyToDrain(tp, dq)) {
            continue;
          }
          first = dq.peekFirst(); // unchanged: re-stamping keeps the order
          idempotence.onDrained(first);
        }
        dq.pollFirst();
        first.close();
        size += first.estimatedSizeInBytes();
        out.add(first);
      }
    } while (i != start);
    drainIndex.put(node.id(), i);
    return out;
  }

  /**
   * Puts a batch whose attempt failed back at the front of its deque; a batch with a sequence
   * number goes after the queued batches with lower sequences (Kafka's insertInSequenceOrder), so
   * that retries of an idempotent producer leave in order whatever order their failures came in.
   */
  public void reenqueue(ProducerBatch batch, long nowMs) {
    batch.attempts++;
    batch.lastAttemptMs = nowMs;
    batch.inRetry = true;
    Deque<ProducerBatch> dq = getOrCreateDeque(batch.topicPartition);
    synchronized (dq) {
      if (!batch.hasSequence()) {
        dq.addFirst(batch);
        return;
      }
      List<ProducerBatch> before = new ArrayList<>();
      while (dq.peekFirst() != null
          && dq.peekFirst().hasSequence()
          && dq.peekFirst().producerId() == batch.producerId()
          && dq.peekFirst().baseSequence() < batch.baseSequence()) {
        before.add(dq.pollFirst());
      }
      dq.addFirst(batch);
      for (int i = before.size() - 1; i >= 0; i--) {
        dq.addFirst(before.get(i));
      }
    }
  }

  /** Removes and returns every queued batch (those not in flight). */
  public List<ProducerBatch> drainAllQueued() {
    List<ProducerBatch> out = new ArrayList<>();
    for (Deque<ProducerBatch> dq : batches.values()) {
      synchronized (dq) {
        for (ProducerBatch b : dq) {
          b.close();
          out.add(b);
        }
        dq.clear();
      }
    }
    return out;
  }

  /** Removes and returns the queued batches older than {@code delivery.timeout.ms}. */
  public List<ProducerBatch> expiredBatches(long nowMs) {
    List<ProducerBatch> out = new ArrayList<>();
    for (Deque<ProducerBatch> dq : batches.values()) {
      synchronized (dq) {
        Iterator<ProducerBatch> it = dq.iterator();
        while (it.hasNext()) {
          ProducerBatch b = it.next();
          if (!b.hasReachedDeliveryTimeout(deliveryTimeoutMs, nowMs)) {
            break; // the deque is ordered by creation, retries aside: good enough
          }
          it.remove();
          b.close();
          out.add(b);
        }
      }
    }
    return out;
  }

  /** Milliseconds until the oldest queued batch expires. */
  public long nextExpiryDelayMs(long nowMs) {
    long next = Long.MAX_VALUE;
    for (Deque<ProducerBatch> dq : batches.values()) {
      synchronized (dq) {
        ProducerBatch b = dq.peekFirst();
        if (b != null) {
          next = Math.min(next, Math.max(0, b.createdMs + deliveryTimeoutMs - nowMs));
        }
      }
    }
    return next;
  }

  /** Completes a batch (success or failure) and frees its memory. */
  public void completeBatch(
      ProducerBatch b, long baseOffset, long logAppendTime, RuntimeException e) {
    if (b.complete(baseOffset, logAppendTime, e)) {
      incomplete.remove(b);
      ByteBuffer reusable = b.reusableBuffer();
      if (reusable != null) {
        free.returnBuffer(reusable);
      }
      free.deallocate(b.reservedBytes);
    }
  }

  public boolean hasUndrained() {
    for (Deque<ProducerBatch> dq : batches.values()) {
      synchronized (dq) {
        if (!dq.isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  public boolean hasIncomplete() {
    return !incomplete.isEmpty();
  }

  public void beginFlush() {
    flushesInProgress.incrementAndGet();
  }

  public boolean flushInProgress() {
    return flushesInProgress.get() > 0;
  }

  /** Waits until every batch that existed at the call has completed. */
  public void awaitFlushCompletion() throws InterruptedException {
    try {
      for (ProducerBatch b : new ArrayList<>(incomplete)) {
        b.result().await();
      }
    } finally {
      flushesInProgress.decrementAndGet();
    }
  }

  /** No more appends; every queued batch becomes sendable. */
  public void close() {
    closed = true;
  }

  /** Fails every batch not yet completed (queued or in flight). */
  public void abortIncompleteBatches(RuntimeException e) {
    for (Deque<ProducerBatch> dq : batches.values()) {
      synchronized (dq) {
        dq.clear();
      }
    }
    for (ProducerBatch b : new ArrayList<>(incomplete)) {
      completeBatch(b, -1, -1, e);
    }
  }

  public int deliveryTimeoutMs() {
    return deliveryTimeoutMs;
  }
}
