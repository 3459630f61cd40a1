package io.brook.broker.metrics;

import io.brook.protocol.record.RecordBatch;
import java.nio.ByteBuffer;

/**
 * Counts the records in a buffer of record batches from their headers only (no decompression): the
 * {@code recordCount} field of each whole batch, found by walking the {@code batchLength} fields. A
 * trailing partial batch (a fetch may end inside one) is not counted.
 */
public final class RecordCounts {
  private RecordCounts() {}

  /** The records of the whole batches in {@code buffer} (between position and limit). */
  public static long of(ByteBuffer buffer) {
    long records = 0;
    int pos = buffer.position();
    int limit = buffer.limit();
    while (limit - pos >= RecordBatch.RECORD_BATCH_OVERHEAD) {
      int batchSize = buffer.getInt(pos + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
      if (batchSize < RecordBatch.RECORD_BATCH_OVERHEAD || batchSize > limit - pos) {
        break;
      }
      records += Math.max(0, buffer.getInt(pos + RecordBatch.RECORDS_COUNT_OFFSET));
      pos += batchSize;
    }
    return records;
  }
}
