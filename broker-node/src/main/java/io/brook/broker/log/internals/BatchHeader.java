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
 * @param producerId the idempotent producer's id, or -1
 * @param producerEpoch the producer's epoch, or -1
 * @param baseSequence the sequence number of the batch's first record, or -1
 */
public record BatchHeader(
    int position,
    int size,
    long baseOffset,
    long lastOffset,
    long maxTimestamp,
    int partitionLeaderEpoch,
    long producerId,
    short producerEpoch,
    int baseSequence) {

  /** Bytes {@link #read} needs: the whole fixed header, up to the records. */
  public static final int SIZE = RecordBatch.RECORD_BATCH_OVERHEAD;

  /** Reads the header at absolute index {@code at} of {@code buf} (big-endian). */
  public static BatchHeader read(ByteBuffer buf, int at, int filePosition) {
    long base = buf.getLong(at + RecordBatch.BASE_OFFSET_OFFSET);
    int size = buf.getInt(at + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
    int delta = buf.getInt(at + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
    long maxTs = buf.getLong(at + RecordBatch.MAX_TIMESTAMP_OFFSET);
    int epoch = buf.getInt(at + RecordBatch.PARTITION_LEADER_EPOCH_OFFSET);
    long pid = buf.getLong(at + RecordBatch.PRODUCER_ID_OFFSET);
    short pepoch = buf.getShort(at + RecordBatch.PRODUCER_EPOCH_OFFSET);
    int seq = buf.getInt(at + RecordBatch.BASE_SEQUENCE_OFFSET);
    return new BatchHeader(filePosition, size, base, base + delta, maxTs, epoch, pid, pepoch, seq);
  }

  /** Whether an idempotent producer wrote this batch (producer id >= 0). */
  public boolean hasProducerId() {
    return producerId >= 0;
  }

  /**
   * The sequence number of the batch's last record: base sequence + last offset delta, wrapping
   * past Integer.MAX_VALUE to 0 as Kafka's DefaultRecordBatch.incrementSequence does.
   */
  public int lastSequence() {
    return incrementSequence(baseSequence, (int) (lastOffset - baseOffset));
  }

  /** {@code sequence + increment}, wrapping past Integer.MAX_VALUE to 0. */
  public static int incrementSequence(int sequence, int increment) {
    if (sequence > Integer.MAX_VALUE - increment) {
      return increment - (Integer.MAX_VALUE - sequence) - 1;
    }
    return sequence + increment;
  }

  public long nextOffset() {
    return lastOffset + 1;
  }
}
