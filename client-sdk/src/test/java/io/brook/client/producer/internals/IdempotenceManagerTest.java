package io.brook.client.producer.internals;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.producer.internals.IdempotenceManager.ProducerIdAndEpoch;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** The idempotent producer's sequence bookkeeping, without a network. */
class IdempotenceManagerTest {
  private static final TopicPartition TP = new TopicPartition("t", 0);
  private static final TopicPartition TP1 = new TopicPartition("t", 1);
  private static final ProducerIdAndEpoch PID = new ProducerIdAndEpoch(7, (short) 0);
  private static final ProducerIdAndEpoch PID2 = new ProducerIdAndEpoch(8, (short) 0);

  private static ProducerBatch batch(TopicPartition tp, int records) {
    ProducerBatch b = new ProducerBatch(tp, CompressionType.NONE, 1 << 20, 1 << 20, 0);
    for (int i = 0; i < records; i++) {
      b.tryAppend(0, null, new byte[] {(byte) i}, null, null);
    }
    return b;
  }

  /** Drains the head of {@code q} as the accumulator does. */
  private static ProducerBatch drain(IdempotenceManager m, Deque<ProducerBatch> q) {
    if (!m.readyToDrain(q.peekFirst().topicPartition, q)) {
      return null;
    }
    ProducerBatch b = q.pollFirst();
    m.onDrained(b);
    b.close();
    return b;
  }

  @Test
  void sequencesWrapAroundLikeKafkas() {
    assertEquals(5, IdempotenceManager.incrementSequence(2, 3));
    assertEquals(0, IdempotenceManager.incrementSequence(Integer.MAX_VALUE, 1));
    assertEquals(1, IdempotenceManager.incrementSequence(Integer.MAX_VALUE - 1, 3));
  }

  @Test
  void nothingDrainsWithoutAProducerIdThenSequencesFollowRecordCounts() {
    IdempotenceManager m = new IdempotenceManager();
    Deque<ProducerBatch> q = new ArrayDeque<>();
    q.add(batch(TP, 3));
    q.add(batch(TP, 2));
    assertNull(drain(m, q), "no producer id yet");
    m.setProducerIdAndEpoch(PID);
    ProducerBatch a = drain(m, q);
    ProducerBatch b = drain(m, q);
    assertEquals(0, a.baseSequence());
    assertEquals(2, a.lastSequence());
    assertEquals(3, b.baseSequence());
    RecordBatch wire = RecordBatch.wrap(b.close());
    assertEquals(7, wire.producerId());
    assertEquals(3, wire.baseSequence());
    wire.ensureValid();
  }

  @Test
  void aRetryGoesOutOnlyWhenItIsTheFirstUnacknowledgedBatch() {
    IdempotenceManager m = new IdempotenceManager();
    m.setProducerIdAndEpoch(PID);
    Deque<ProducerBatch> q = new ArrayDeque<>();
    q.add(batch(TP, 1));
    q.add(batch(TP, 1));
    ProducerBatch a = drain(m, q);
    ProducerBatch b = drain(m, q);
    m.onReturned(b);
    q.addFirst(b); // b failed first (out of order: a is unresolved)
    assertFalse(m.isNextSequence(b));
    assertNull(drain(m, q), "b waits for a");
    m.onReturned(a);
    q.addFirst(a);
    assertTrue(m.isNextSequence(a));
    assertSame(a, drain(m, q));
    assertNull(drain(m, q), "b waits until a is acknowledged");
    m.onSuccess(a);
    assertSame(b, drain(m, q));
    assertEquals(1, b.baseSequence(), "a retry keeps its sequence");
  }

  @Test
  void aHoleMovesThatPartitionsBatchesToTheNewIdOthersFinishUnderTheOld() {
    IdempotenceManager m = new IdempotenceManager();
    m.setProducerIdAndEpoch(PID);
    Deque<ProducerBatch> q0 = new ArrayDeque<>();
    Deque<ProducerBatch> q1 = new ArrayDeque<>();
    q0.add(batch(TP, 1));
    q0.add(batch(TP, 1));
    q1.add(batch(TP1, 1));
    ProducerBatch a0 = drain(m, q0);
    ProducerBatch a1 = drain(m, q0);
    ProducerBatch c0 = drain(m, q1);
    m.onReturned(a0);
    m.onFailed(a0, new RuntimeException("gap"));
    assertFalse(m.hasProducerId(), "a hole resets the producer id");
    assertEquals(PID, m.previousProducerIdAndEpoch());
    m.onReturned(a1);
    q0.addFirst(a1); // retried: out of order behind the failed a0
    m.setProducerIdAndEpoch(PID2);
    assertTrue(m.isStale(a1));
    assertSame(a1, drain(m, q0));
    assertEquals(8, a1.producerId(), "re-stamped with the new id");
    assertEquals(0, a1.baseSequence());
    RecordBatch.wrap(a1.close()).ensureValid();
    // partition 1 had no hole: its batch keeps the old id, new batches wait for it
    assertFalse(m.isStale(c0));
    q1.add(batch(TP1, 1));
    assertNull(drain(m, q1), "new batches wait for the old id's batch");
    m.onReturned(c0);
    m.onSuccess(c0);
    ProducerBatch c1 = drain(m, q1);
    assertEquals(8, c1.producerId());
    assertEquals(0, c1.baseSequence());
  }
}
