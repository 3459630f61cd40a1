package io.brook.broker.log;

import io.brook.broker.log.internals.BatchHeader;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks and stamps the batches of one append, header by header (no per-record work: records are
 * never decoded on the broker). Stateless.
 */
final class LogValidator {
  private LogValidator() {}

  /** What the stamping learned about an append. */
  record Stamped(
      long firstOffset,
      long lastOffset,
      long maxTimestamp,
      long offsetOfMaxTimestamp,
      int numRecords) {
    LogAppendInfo toAppendInfo(long logAppendTime, int validBytes, long logStartOffset) {
      return new LogAppendInfo(
          firstOffset,
          lastOffset,
          maxTimestamp,
          offsetOfMaxTimestamp,
          logAppendTime,
          numRecords,
          validBytes,
          logStartOffset);
    }
  }

  /**
   * The caller's bytes, to be stamped in place; a read-only buffer (e.g. a protobuf ByteString's
   * view) is copied once first.
   */
  static ByteBuffer writableView(ByteBuffer records) {
    if (!records.isReadOnly()) {
      return records.duplicate().order(ByteOrder.BIG_ENDIAN);
    }
    ByteBuffer copy = ByteBuffer.allocate(records.remaining());
    copy.put(records.duplicate()).flip();
    return copy;
  }

  /**
   * Checks every batch of an append: whole batches and nothing else, each at least a header, magic,
   * codec and CRC ({@link RecordBatch#ensureValid}), the whole append within segment.bytes. A
   * leader append also needs non-empty batches whose record count matches the offset delta, each
   * within max.message.bytes.
   */
  static void validate(ByteBuffer buf, LogConfig cfg, boolean asLeader, TopicPartition tp) {
    if (!buf.hasRemaining()) {
      throw new CorruptRecordException("append to " + tp + " holds no record batch");
    }
    if (buf.remaining() > cfg.segmentBytes()) {
      throw new RecordTooLargeException(
          "append of "
              + buf.remaining()
              + " bytes exceeds segment.bytes="
              + cfg.segmentBytes()
              + " for partition "
              + tp);
    }
    int count = 0;
    int pos = buf.position();
    while (pos < buf.limit()) {
      int size = RecordBatch.sizeAt(buf, pos);
      if (size < 0) {
        throw new CorruptRecordException(
            (buf.limit() - pos)
                + " trailing bytes after "
                + count
                + " batch(es) in an append to "
                + tp);
      }
      if (size < RecordBatch.RECORD_BATCH_OVERHEAD || size > buf.limit() - pos) {
        throw new CorruptRecordException(
            "batch "
                + count
                + " of an append to "
                + tp
                + " claims "
                + size
                + " bytes but "
                + (buf.limit() - pos)
                + " remain");
      }
      if (asLeader && size > cfg.maxMessageBytes()) {
        throw new RecordTooLargeException(
            "record batch of "
                + size
                + " bytes exceeds max.message.bytes="
                + cfg.maxMessageBytes()
                + " for partition "
                + tp);
      }
      RecordBatch batch = RecordBatch.wrap(buf.duplicate().position(pos).limit(pos + size));
      batch.ensureValid();
      if (asLeader) {
        if (batch.recordCount() == 0) {
          throw new CorruptRecordException(
              "record batch " + count + " of an append to " + tp + " has no records");
        }
        if (batch.recordCount() != batch.lastOffsetDelta() + 1) {
          throw new CorruptRecordException(
              "record batch "
                  + count
                  + " of an append to "
                  + tp
                  + " has "
                  + batch.recordCount()
                  + " records but last offset delta "
                  + batch.lastOffsetDelta());
        }
      }
      count++;
      pos += size;
    }
  }

  /**
   * Assigns offsets from {@code firstOffset} on, stamps the leader epoch and, for LogAppendTime,
   * the timestamp type and max timestamp (recomputing the CRC). The offset of the max timestamp is
   * the base offset of the batch that holds it.
   */
  static Stamped assignOffsets(
      ByteBuffer buf, long firstOffset, int leaderEpoch, boolean logAppendTime, long now) {
    long next = firstOffset;
    long maxTs = RecordBatch.NO_TIMESTAMP;
    long offsetOfMaxTs = firstOffset;
    int numRecords = 0;
    int pos = buf.position();
    while (pos < buf.limit()) {
      int size = RecordBatch.sizeAt(buf, pos);
      RecordBatch batch = RecordBatch.wrap(buf.duplicate().position(pos).limit(pos + size));
      batch.setBaseOffset(next);
      batch.setPartitionLeaderEpoch(leaderEpoch);
      if (logAppendTime) {
        batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
      }
      if (batch.maxTimestamp() > maxTs) {
        maxTs = batch.maxTimestamp();
        offsetOfMaxTs = next;
      }
      numRecords += batch.recordCount();
      next = batch.nextOffset();
      pos += size;
    }
    return new Stamped(firstOffset, next - 1, maxTs, offsetOfMaxTs, numRecords);
  }

  /**
   * Checks that a follower's batches start at {@code logEndOffset} and that offsets increase.
   *
   * @throws UnexpectedAppendOffsetException otherwise
   */
  static Stamped checkFollowerOffsets(ByteBuffer buf, long logEndOffset, TopicPartition tp) {
    long expected = logEndOffset;
    long first = -1;
    long maxTs = RecordBatch.NO_TIMESTAMP;
    long offsetOfMaxTs = logEndOffset;
    int numRecords = 0;
    int pos = buf.position();
    while (pos < buf.limit()) {
      BatchHeader h = BatchHeader.read(buf, pos, pos);
      if (first < 0 ? h.baseOffset() != expected : h.baseOffset() < expected) {
        throw new UnexpectedAppendOffsetException(
            "follower append to "
                + tp
                + " has a batch at offset "
                + h.baseOffset()
                + " where "
                + expected
                + (first < 0 ? "" : " or later")
                + " was expected");
      }
      if (first < 0) {
        first = h.baseOffset();
      }
      if (h.maxTimestamp() > maxTs) {
        maxTs = h.maxTimestamp();
        offsetOfMaxTs = h.baseOffset();
      }
      numRecords += buf.getInt(pos + RecordBatch.RECORDS_COUNT_OFFSET);
      expected = h.nextOffset();
      pos += h.size();
    }
    return new Stamped(first, expected - 1, maxTs, offsetOfMaxTs, numRecords);
  }
}
