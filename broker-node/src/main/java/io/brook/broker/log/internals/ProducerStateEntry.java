package io.brook.broker.log.internals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the log knows of one idempotent producer: its epoch and its last {@value
 * #NUM_BATCHES_TO_RETAIN} batches (Kafka's ProducerStateEntry), enough to recognize a retried batch
 * and to check that the next one continues the sequence.
 *
 * <p>Invariants: at least one batch; batches are of {@link #producerEpoch()}, oldest first, their
 * sequences and offsets increasing.
 *
 * <p>Not thread-safe: owned by a {@link ProducerStateManager}, guarded by the log's lock.
 */
public final class ProducerStateEntry {
  /** Kafka's NUM_BATCHES_TO_RETAIN: as many as a producer may have in flight. */
  public static final int NUM_BATCHES_TO_RETAIN = 5;

  /**
   * One appended batch.
   *
   * @param firstSeq sequence number of its first record
   * @param lastSeq sequence number of its last record
   * @param firstOffset offset of its first record
   * @param lastOffset offset of its last record
   * @param timestamp its max timestamp (what expiry compares)
   */
  public record BatchMetadata(
      int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {}

  private final long producerId;
  private short producerEpoch;
  private final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(NUM_BATCHES_TO_RETAIN + 1);

  ProducerStateEntry(long producerId, short producerEpoch) {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }

  public long producerId() {
    return producerId;
  }

  public short producerEpoch() {
    return producerEpoch;
  }

  /** The retained batches, oldest first. */
  public List<BatchMetadata> batches() {
    return new ArrayList<>(batches);
  }

  /** The last batch's last sequence, or -1 when there is none. */
  public int lastSeq() {
    BatchMetadata b = batches.peekLast();
    return b == null ? -1 : b.lastSeq();
  }

  /** The last batch's last offset, or -1 when there is none. */
  public long lastOffset() {
    BatchMetadata b = batches.peekLast();
    return b == null ? -1L : b.lastOffset();
  }

  /** The last batch's timestamp, or -1 when there is none. */
  public long lastTimestamp() {
    BatchMetadata b = batches.peekLast();
    return b == null ? -1L : b.timestamp();
  }

  /** The retained batch of epoch {@code epoch} with exactly these sequences, or null. */
  public BatchMetadata findDuplicate(short epoch, int firstSeq, int lastSeq) {
    if (epoch != producerEpoch) {
      return null;
    }
    for (BatchMetadata b : batches) {
      if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
        return b;
      }
    }
    return null;
  }

  /** Adds a batch; a new epoch forgets the batches of the old one. */
  void addBatch(short epoch, BatchMetadata batch) {
    if (epoch != producerEpoch) {
      producerEpoch = epoch;
      batches.clear();
    }
    batches.addLast(batch);
    while (batches.size() > NUM_BATCHES_TO_RETAIN) {
      batches.removeFirst();
    }
  }

  @Override
  public String toString() {
    return "ProducerStateEntry(producerId="
        + producerId
        + ", epoch="
        + producerEpoch
        + ", batches="
        + batches
        + ")";
  }
}
