package io.brook.client.producer.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The batch.size buffers of acknowledged batches are reused, and only those. */
class BatchBufferReuseTest {
  private static final int BATCH_SIZE = 16 * 1024;
  private final Node node = new Node(0, "localhost", 9092);
  private final TopicPartition tp = new TopicPartition("t", 0);
  private final Cluster cluster =
      new Cluster(
          "c",
          List.of(node),
          List.of(new PartitionInfo("t", 0, node, new Node[] {node}, new Node[] {node})),
          Set.of(),
          node);
  private final BufferPool pool = new BufferPool(1024 * 1024, Time.SYSTEM);
  private final RecordAccumulator acc =
      new RecordAccumulator(BATCH_SIZE, CompressionType.NONE, 0L, 100L, 120_000, pool);

  private ProducerBatch sendOne(byte[] value) {
    acc.append(tp, 1L, null, value, null, null, 1_000L, false, 1L);
    List<ProducerBatch> drained = acc.drain(cluster, node, 10 * 1024 * 1024, 1L);
    assertEquals(1, drained.size());
    return drained.get(0);
  }

  private static byte[] firstValue(ByteBuffer batch) {
    Record r = RecordBatch.wrap(batch).iterator().next();
    byte[] v = new byte[r.valueSize()];
    r.value().get(v);
    return v;
  }

  @Test
  void anAcknowledgedBatchGivesItsBufferToTheNextBatch() {
    ProducerBatch first = sendOne(new byte[] {1, 2, 3});
    ByteBuffer firstBytes = first.close();
    assertArrayEquals(new byte[] {1, 2, 3}, firstValue(firstBytes));
    assertEquals(0, pool.pooledBuffers());
    acc.completeBatch(first, 0L, -1L, null);
    assertEquals(1, pool.pooledBuffers());

    ProducerBatch second = sendOne(new byte[] {4, 5});
    assertEquals(0, pool.pooledBuffers(), "the new batch took the pooled buffer");
    ByteBuffer secondBytes = second.close();
    assertArrayEquals(new byte[] {4, 5}, firstValue(secondBytes));
    assertSame(firstBytes.array(), secondBytes.array(), "same backing array");
    acc.completeBatch(second, 1L, -1L, null);
    assertEquals(1, pool.pooledBuffers());
  }

  @Test
  void aFailedBatchKeepsItsBuffer() {
    ProducerBatch b = sendOne(new byte[] {1});
    b.close();
    acc.completeBatch(b, -1L, -1L, new IllegalStateException("expired"));
    assertEquals(0, pool.pooledBuffers(), "its request may still be waiting to be serialized");
  }

  @Test
  void aBatchThatOutgrewItsBufferGivesNothingBack() {
    ProducerBatch b = sendOne(new byte[BATCH_SIZE * 2]); // one record larger than batch.size
    b.close();
    acc.completeBatch(b, 0L, -1L, null);
    assertEquals(0, pool.pooledBuffers());
  }

  @Test
  void reusableBufferIsHandedOutOnce() {
    ByteBuffer pooled = pool.takeBuffer(BATCH_SIZE);
    ProducerBatch b =
        new ProducerBatch(tp, CompressionType.NONE, BATCH_SIZE, BATCH_SIZE, 1L, pooled);
    assertNotNull(b.tryAppend(1L, null, new byte[] {9}, null, null));
    b.close();
    assertNull(b.reusableBuffer(), "not before the batch completed");
    b.complete(0L, -1L, null);
    assertNull(b.reusableBuffer(), "already asked once");

    ProducerBatch c =
        new ProducerBatch(tp, CompressionType.NONE, BATCH_SIZE, BATCH_SIZE, 1L, pooled);
    c.tryAppend(1L, null, new byte[] {9}, null, null);
    c.close();
    c.complete(0L, -1L, null);
    assertSame(pooled, c.reusableBuffer());
    assertNull(c.reusableBuffer());
  }

  @Test
  void aPoolBufferOfAnotherSizeIsNotReused() {
    ByteBuffer small = pool.takeBuffer(1024);
    pool.returnBuffer(small);
    assertNotSame(small, pool.takeBuffer(2048));
  }
}
