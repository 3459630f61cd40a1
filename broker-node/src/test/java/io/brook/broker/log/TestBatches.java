package io.brook.broker.log;

import io.brook.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Builds valid record batches for storage tests: a correct header and CRC-32C over an opaque
 * payload (the storage layer never parses records).
 */
final class TestBatches {
  private TestBatches() {}

  /** One batch of {@code count} records, {@code payload} bytes of records section. */
  static ByteBuffer batch(long baseOffset, int count, long timestamp, int payload) {
    return batch(baseOffset, count, timestamp, timestamp, payload);
  }

  static ByteBuffer batch(long baseOffset, int count, long firstTs, long maxTs, int payload) {
    return batch(baseOffset, count, firstTs, maxTs, payload, -1L, (short) -1, -1);
  }

  /** A batch of an idempotent producer: {@code count} records from sequence {@code baseSeq}. */
  static ByteBuffer producerBatch(
      long producerId, short epoch, int baseSeq, int count, long timestamp) {
    return batch(0, count, timestamp, timestamp, 39, producerId, epoch, baseSeq);
  }

  static ByteBuffer batch(
      long baseOffset,
      int count,
      long firstTs,
      long maxTs,
      int payload,
      long producerId,
      short producerEpoch,
      int baseSeq) {
    int size = RecordBatch.RECORD_BATCH_OVERHEAD + payload;
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putLong(RecordBatch.BASE_OFFSET_OFFSET, baseOffset);
    b.putInt(RecordBatch.LENGTH_OFFSET, size - RecordBatch.LOG_OVERHEAD);
    b.putInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, -1);
    b.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
    b.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) 0);
    b.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, count - 1);
    b.putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, firstTs);
    b.putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, maxTs);
    b.putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId);
    b.putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
    b.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSeq);
    b.putInt(RecordBatch.RECORDS_COUNT_OFFSET, count);
    for (int i = 0; i < payload; i++) {
      b.put(RecordBatch.RECORDS_OFFSET + i, (byte) (baseOffset * 31 + i));
    }
    CRC32C crc = new CRC32C();
    ByteBuffer s = b.duplicate().position(RecordBatch.ATTRIBUTES_OFFSET).limit(size);
    crc.update(s);
    b.putInt(RecordBatch.CRC_OFFSET, (int) crc.getValue());
    return b;
  }

  /** The buffers one after another. */
  static ByteBuffer concat(ByteBuffer... parts) {
    int n = 0;
    for (ByteBuffer p : parts) {
      n += p.remaining();
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (ByteBuffer p : parts) {
      b.put(p.duplicate());
    }
    return b.flip();
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }
}
