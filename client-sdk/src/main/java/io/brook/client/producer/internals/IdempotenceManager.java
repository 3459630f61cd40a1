package io.brook.client.producer.internals;

import io.brook.common.TopicPartition;
import io.brook.protocol.record.RecordBatch;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The idempotent producer's bookkeeping: Kafka's TransactionManager without transactions. It holds
 * the producer id and epoch (from InitProducerId) and, per partition, the next sequence number to
 * hand out, the last acknowledged one and the batches that carry a sequence but are not done yet.
 *
 * <p>Rules (as Kafka's Sender / RecordAccumulator / TransactionManager):
 *
 * <ul>
 *   <li>A batch gets its sequence when it is first drained ({@link #onDrained}), so sequence order
 *       is send order; a retried batch keeps its sequence and bytes.
 *   <li>A retried batch goes out only when it is the first unacknowledged batch of its partition
 *       ({@link #readyToDrain}); retried batches are queued in sequence order by the accumulator.
 *   <li>OUT_OF_ORDER_SEQUENCE_NUMBER for a batch that is not the next one after the last
 *       acknowledged sequence means a predecessor is itself being retried: retry it ({@link
 *       #isNextSequence} false). For the next batch it is a real gap: the batch fails.
 *   <li>A batch with a sequence that fails for good (gap, UNKNOWN_PRODUCER_ID, a non-retriable
 *       error, expiry) leaves a hole the broker will never fill, so the producer asks for a new
 *       producer id ({@link #requestReset}, KIP-360 style). On the partition with the hole, the
 *       batches stamped with the old id that are not done become <i>stale</i>: once none of them is
 *       on the wire they are re-stamped in order with the new id and sequences from 0. On other
 *       partitions they finish under the old id, unchanged. Either way no new batch of a partition
 *       is drained before its old-id batches are done or re-stamped.
 * </ul>
 *
 * <p>Invariant: all batches of one partition that carry a sequence and are not done share one
 * producer id (the partition's {@code inflight} ones, or its {@code stale} ones before they are
 * re-stamped, never both with different ids).
 *
 * <p>Thread rules: sender thread only (the accumulator calls {@link #readyToDrain} and {@link
 * #onDrained} from {@code drain}, which runs on the sender thread), except {@link
 * #producerIdAndEpoch()}, which any thread may read.
 */
public final class IdempotenceManager {
  private static final Logger LOG = LogManager.getLogger(IdempotenceManager.class);

  /** A producer id and epoch; {@link #NONE} before InitProducerId answered. */
  public record ProducerIdAndEpoch(long producerId, short epoch) {
    public static final ProducerIdAndEpoch NONE =
        new ProducerIdAndEpoch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);

    public boolean isValid() {
      return producerId >= 0;
    }
  }

  /** Sequence state of one partition. */
  private static final class PartitionState {
    /** The producer id the sequences below belong to. */
    ProducerIdAndEpoch producerIdAndEpoch;

    int nextSequence;
    int lastAckedSequence = RecordBatch.NO_SEQUENCE;

    /** Batches stamped with {@link #producerIdAndEpoch}, not done, in sequence order. */
    final Deque<ProducerBatch> inflight = new ArrayDeque<>();

    /** Batches stamped with an older producer id, not done. */
    final Set<ProducerBatch> stale = new HashSet<>();

    /** Batches of this partition in requests not yet answered. */
    int onWire;

    /**
     * A batch stamped with {@link #producerIdAndEpoch} failed for good: the broker will never
     * accept that id's later sequences here, so the unresolved ones must move to a new id.
     */
    boolean hole;

    PartitionState(ProducerIdAndEpoch p) {
      this.producerIdAndEpoch = p;
    }
  }

  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private volatile ProducerIdAndEpoch current = ProducerIdAndEpoch.NONE;
  private ProducerIdAndEpoch previous = ProducerIdAndEpoch.NONE;

  /** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after Integer.MAX_VALUE. */
  public static int incrementSequence(int sequence, int increment) {
    if (sequence > Integer.MAX_VALUE - increment) {
      return increment - (Integer.MAX_VALUE - sequence) - 1;
    }
    return sequence + increment;
  }

  /** The current producer id and epoch; {@link ProducerIdAndEpoch#NONE} while there is none. */
  public ProducerIdAndEpoch producerIdAndEpoch() {
    return current;
  }

  public boolean hasProducerId() {
    return current.isValid();
  }

  /** The id and epoch to send with the next InitProducerId (KIP-360: the one being replaced). */
  ProducerIdAndEpoch previousProducerIdAndEpoch() {
    return previous;
  }

  /** Applies an InitProducerId answer. */
  void setProducerIdAndEpoch(ProducerIdAndEpoch p) {
    LOG.info(
        "ProducerId set to {} with epoch {}{}",
        p.producerId(),
        p.epoch(),
        previous.isValid() ? " (was " + previous.producerId() + ")" : "");
    current = p;
  }

  /**
   * Drops the producer id after a batch failed with a sequence hole; the sender then asks for a new
   * one and batches wait. A no-op while there is no producer id.
   */
  void requestReset(String reason) {
    if (!current.isValid()) {
      return;
    }
    LOG.info(
        "Resetting producer id {} (epoch {}): {}", current.producerId(), current.epoch(), reason);
    previous = current;
    current = ProducerIdAndEpoch.NONE;
  }

  /**
   * The partition's state, moved to the current producer id when that is due: at once when the
   * partition has a hole (its unresolved batches become stale, to be re-stamped), otherwise once
   * the batches stamped with the old id are done (they stay valid under it: re-stamping one that
   * the broker may already have written would duplicate it).
   */
  private PartitionState state(TopicPartition tp) {
    PartitionState s = partitions.computeIfAbsent(tp, k -> new PartitionState(current));
    ProducerIdAndEpoch cur = current;
    if (cur.isValid() && !cur.equals(s.producerIdAndEpoch)) {
      if (s.hole) {
        s.stale.addAll(s.inflight);
        s.inflight.clear();
      }
      if (s.inflight.isEmpty()) {
        s.producerIdAndEpoch = cur;
        s.nextSequence = 0;
        s.lastAckedSequence = RecordBatch.NO_SEQUENCE;
        s.hole = false;
      }
    }
    return s;
  }

  /**
   * Whether the first batch of {@code tp}'s queue may be drained now. Re-stamps the partition's
   * stale batches (which are then all back in {@code queue}, in sequence order) once none of them
   * is on the wire. Called under the queue's lock.
   */
  boolean readyToDrain(TopicPartition tp, Deque<ProducerBatch> queue) {
    if (!hasProducerId()) {
      return false;
    }
    PartitionState s = state(tp);
    if (!s.stale.isEmpty()) {
      if (s.onWire > 0) {
        return false;
      }
      for (ProducerBatch b : queue) {
        if (s.stale.remove(b)) {
          ProducerIdAndEpoch p = s.producerIdAndEpoch;
          LOG.debug(
              "Re-stamping {} (was producer id {} seq {}) with producer id {} seq {}",
              b.topicPartition,
              b.producerId(),
              b.baseSequence(),
              p.producerId(),
              s.nextSequence);
          b.setProducerState(p.producerId(), p.epoch(), s.nextSequence);
          s.nextSequence = incrementSequence(s.nextSequence, b.recordCount());
          s.inflight.addLast(b);
        }
      }
      if (!s.stale.isEmpty()) {
        LOG.warn("{} batches of {} were lost track of; forgetting them", s.stale.size(), tp);
        s.stale.clear();
      }
    }
    ProducerBatch first = queue.peekFirst();
    if (first == null) {
      return false;
    }
    if (!first.hasSequence()) {
      // new batches wait until the old producer id's batches here are done
      return s.stale.isEmpty() && s.producerIdAndEpoch.equals(current);
    }
    // A retry: only the first unacknowledged batch goes out, so that the broker sees them in order.
    return s.inflight.peekFirst() == first;
  }

  /** Stamps a batch leaving the queue (once) and counts it as on the wire. */
  void onDrained(ProducerBatch b) {
    PartitionState s = state(b.topicPartition);
    if (!b.hasSequence()) {
      ProducerIdAndEpoch p = s.producerIdAndEpoch;
      b.setProducerState(p.producerId(), p.epoch(), s.nextSequence);
      s.nextSequence = incrementSequence(s.nextSequence, b.recordCount());
      s.inflight.addLast(b);
    }
    s.onWire++;
  }

  /** The batch's request was answered or failed: it is no longer on the wire. */
  void onReturned(ProducerBatch b) {
    PartitionState s = partitions.get(b.topicPartition);
    if (s != null && s.onWire > 0) {
      s.onWire--;
    }
  }

  /** True when the batch carries an older producer id than its partition's current one. */
  boolean isStale(ProducerBatch b) {
    PartitionState s = state(b.topicPartition);
    return s.stale.contains(b);
  }

  /** True when the batch directly follows the last acknowledged sequence of its partition. */
  boolean isNextSequence(ProducerBatch b) {
    PartitionState s = state(b.topicPartition);
    int expected =
        s.lastAckedSequence == RecordBatch.NO_SEQUENCE
            ? 0
            : incrementSequence(s.lastAckedSequence, 1);
    return b.baseSequence() == expected;
  }

  int lastAckedSequence(TopicPartition tp) {
    return state(tp).lastAckedSequence;
  }

  /** The batch was written (or was a duplicate of a written one). */
  void onSuccess(ProducerBatch b) {
    if (!b.hasSequence()) {
      return;
    }
    PartitionState s = state(b.topicPartition);
    if (s.inflight.remove(b)) {
      s.lastAckedSequence = b.lastSequence();
    } else {
      s.stale.remove(b);
    }
  }

  /**
   * The batch failed for good. If it carried a current sequence, the broker will never see that
   * sequence, so later ones could never be accepted: start over with a new producer id.
   */
  void onFailed(ProducerBatch b, RuntimeException e) {
    if (!b.hasSequence()) {
      return;
    }
    PartitionState s = state(b.topicPartition);
    if (s.inflight.remove(b)) {
      s.hole = true;
      if (s.producerIdAndEpoch.equals(current)) {
        requestReset(
            "batch of "
                + b.topicPartition
                + " with sequence "
                + b.baseSequence()
                + " failed: "
                + e.getMessage());
      }
    } else {
      s.stale.remove(b);
    }
  }
}
