package io.brook.broker.log.internals;

import io.brook.protocol.record.RecordBatch;
import java.nio.ByteBuffer;

/**
 * The header fields of one stored batch that the storage layer needs, and where the batch sits.
 * Immutable. Fields are read as they are, without validation.
 *
 * @param position byte position of the batch in its segment's {@code .log}
 * @param size the batch's total size (batchLength + 12)
 * @param baseOffset the batch's base offset
 * @param lastOffset base offset + last offset delta
 * @param maxTimestamp the batch's max timestamp
 * @param partitionLeaderEpoch the leader epoch stamped on the batch
 */
public record BatchHeader(
    int position,
    int size,
    long baseOffset,
    long lastOffset,
    long maxTimestamp,
    int partitionLeaderEpoch) {

  /** Reads the header at absolute index {@code at} of {@code buf} (big-endian). */
  public static BatchHeader read(ByteBuffer buf, int at, int filePosition) {
    long base = buf.getLong(at + RecordBatch.BASE_OFFSET_OFFSET);
    int size = buf.getInt(at + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
    int delta = buf.getInt(at + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
    long maxTs = buf.getLong(at + RecordBatch.MAX_TIMESTAMP_OFFSET);
    int epoch = buf.getInt(at + RecordBatch.PARTITION_LEADER_EPOCH_OFFSET);
    return new BatchHeader(filePosition, size, base, base + delta, maxTs, epoch);
  }

  public long nextOffset() {
    return lastOffset + 1;
  }
}
