package io.brook.broker.log.internals;

import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.record.internals.Compression;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Predicate;

/**
 * Rewrites one stored record batch keeping only the records a predicate retains, as Kafka's
 * MemoryRecords.filterTo does for magic 2 (layout in {@link RecordBatch}).
 *
 * <p>The rebuilt batch keeps the original's base offset, last offset delta when the batch has a
 * producer id (so that the producer's last sequence is unchanged, as Kafka does), partition leader
 * epoch, attributes (codec, timestamp type, transactional and control flags), base timestamp,
 * producer id, epoch and base sequence. The retained records are copied byte for byte (their offset
 * and timestamp deltas are relative to the unchanged base offset and base timestamp, so they keep
 * their offsets and timestamps), recompressed with the batch's codec when it has one. What changes:
 * the record count, the length, the max timestamp (recomputed over the retained records for
 * CreateTime; unchanged for LogAppendTime, where every record carries it), the CRC, and for a batch
 * without producer id the last offset delta, which then ends at the last kept record (Kafka keeps
 * it for every batch). Readers must not assume either: the consumer and the group loader move from
 * batch to batch by the batch's next offset, never by a record's offset + 1.
 *
 * <p>Stateless and thread-safe.
 */
public final class CleanerBatchFilter {
  /** Bits 0-2 of the attributes: the codec. */
  private static final int CODEC_MASK = 0x07;

  private CleanerBatchFilter() {}

  /** What became of a batch. */
  public enum Outcome {
    /** Every record retained: store the original bytes. */
    RETAINED,
    /** Some records retained: store {@link Result#batch()}. */
    FILTERED,
    /** No record retained, but the batch is kept with no records (see {@link #filter}). */
    EMPTIED,
    /** No record retained: drop the batch. */
    REMOVED
  }

  /**
   * @param batch the rebuilt batch for FILTERED and EMPTIED, else null
   * @param retainedRecords records kept
   * @param removedRecords records dropped
   */
  public record Result(
      Outcome outcome, ByteBuffer batch, int retainedRecords, int removedRecords) {}

  /**
   * Filters the records of {@code batch} (one whole, valid batch: position to limit).
   *
   * @param keepEmpty keep a batch whose records are all removed as a batch with no records (the
   *     last batch of an idempotent producer, whose header the producer state needs)
   * @throws io.brook.protocol.record.CorruptRecordException when the records do not parse
   */
  public static Result filter(ByteBuffer batch, Predicate<Record> retain, boolean keepEmpty) {
    RecordBatch b = RecordBatch.wrap(batch);
    ByteBuffer view = b.buffer();
    int count = b.recordCount();
    // decompressed (or in-place) records section: records are laid out back to back
    ByteBuffer section = view.duplicate().position(RecordBatch.RECORDS_OFFSET).slice();
    ByteBuffer records =
        b.compressionType() == CompressionType.NONE
            ? section
            : Compression.decompress(
                b.compressionType(), section, RecordBatch.MAX_DECOMPRESSED_SIZE);
    ByteBuffer kept = ByteBuffer.allocate(records.remaining());
    boolean logAppendTime = b.timestampType() == TimestampType.LOG_APPEND_TIME;
    long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    int retained = 0;
    long lastRetainedOffset = -1L;
    int position = 0;
    for (Record r : b) {
      int size = r.sizeInBytes();
      if (retain.test(r)) {
        kept.put(records.duplicate().position(position).limit(position + size));
        maxTimestamp = Math.max(maxTimestamp, r.timestamp());
        lastRetainedOffset = r.offset();
        retained++;
      }
      position += size;
    }
    int removed = count - retained;
    if (removed == 0) {
      return new Result(Outcome.RETAINED, null, retained, 0);
    }
    if (retained == 0 && !keepEmpty) {
      return new Result(Outcome.REMOVED, null, 0, removed);
    }
    kept.flip();
    ByteBuffer out;
    if (retained == 0) {
      out = ByteBuffer.allocate(RecordBatch.RECORD_BATCH_OVERHEAD);
    } else if (b.compressionType() == CompressionType.NONE) {
      out = ByteBuffer.allocate(RecordBatch.RECORD_BATCH_OVERHEAD + kept.remaining());
      out.position(RecordBatch.RECORD_BATCH_OVERHEAD);
      out.put(kept);
      out.flip();
    } else {
      // compress() leaves room for the header before the compressed bytes
      out = Compression.compress(b.compressionType(), kept, RecordBatch.RECORD_BATCH_OVERHEAD);
      out = copyToFreshBuffer(out);
    }
    out.order(ByteOrder.BIG_ENDIAN);
    ByteBuffer header = view.duplicate().limit(RecordBatch.RECORD_BATCH_OVERHEAD);
    for (int i = 0; i < RecordBatch.RECORD_BATCH_OVERHEAD; i++) {
      out.put(i, header.get(i));
    }
    out.putInt(RecordBatch.LENGTH_OFFSET, out.limit() - RecordBatch.LOG_OVERHEAD);
    out.putInt(RecordBatch.RECORDS_COUNT_OFFSET, retained);
    if (retained == 0) {
      // an empty records section is not compressed (Kafka's writeEmptyHeader): codec bits cleared
      out.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (b.attributes() & ~CODEC_MASK));
    }
    if (retained > 0 && b.producerId() < 0) {
      out.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, (int) (lastRetainedOffset - b.baseOffset()));
    }
    long newMax = logAppendTime || retained == 0 ? b.maxTimestamp() : maxTimestamp;
    // sets the max timestamp and recomputes the CRC over attributes .. end
    RecordBatch.wrap(out).setMaxTimestamp(b.timestampType(), newMax);
    return new Result(retained == 0 ? Outcome.EMPTIED : Outcome.FILTERED, out, retained, removed);
  }

  private static ByteBuffer copyToFreshBuffer(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining());
    c.put(b.duplicate());
    c.flip();
    return c;
  }
}
