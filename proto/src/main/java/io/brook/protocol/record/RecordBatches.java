package io.brook.protocol.record;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Walks a buffer of concatenated record batches, as a produce request, a fetch response or a log
 * segment holds them.
 *
 * <p>A trailing partial batch (fewer bytes left than its length field claims, or fewer than the 12
 * bytes that hold the length) ends the walk cleanly: file reads may end mid-batch. A length field
 * smaller than a batch header cannot be a partial batch and is reported as corrupt.
 *
 * <p>Stateless; each iterator reads its own duplicate of the buffer and never moves the caller's
 * position. The batches share bytes with the buffer, so a broker can stamp offsets in place.
 */
public final class RecordBatches {
  private RecordBatches() {}

  /**
   * The whole batches from {@code buffer}'s position to its limit. Each batch is checked by {@link
   * RecordBatch#wrap} only (header present and size consistent), not by its CRC.
   *
   * @return an iterable whose iterators throw {@link CorruptRecordException} on a length field
   *     smaller than {@link RecordBatch#RECORD_BATCH_OVERHEAD}
   */
  public static Iterable<RecordBatch> of(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    return () -> new BatchIterator(view.duplicate());
  }

  /**
   * Bytes from {@code buffer}'s position covered by whole batches that each pass {@link
   * RecordBatch#ensureValid()}: the walk stops at the first partial, malformed or invalid batch.
   * Equals {@code buffer.remaining()} exactly when the buffer holds nothing but valid batches.
   */
  public static int validBytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    int start = view.position();
    int position = start;
    while (true) {
      long size = sizeAt(view, position);
      if (size < RecordBatch.RECORD_BATCH_OVERHEAD || size > view.limit() - position) {
        return position - start;
      }
      ByteBuffer slice = view.duplicate();
      slice.position(position).limit(position + (int) size);
      try {
        RecordBatch.wrap(slice).ensureValid();
      } catch (CorruptRecordException e) {
        return position - start;
      }
      position += (int) size;
    }
  }

  /**
   * Size of the batch at absolute {@code position} from its length field, as a long so that a
   * damaged length cannot overflow; {@link Long#MIN_VALUE} when the length field itself is cut off.
   */
  private static long sizeAt(ByteBuffer buffer, int position) {
    if (buffer.limit() - position < RecordBatch.LOG_OVERHEAD) {
      return Long.MIN_VALUE;
    }
    return (long) buffer.getInt(position + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
  }

  private static final class BatchIterator implements Iterator<RecordBatch> {
    private final ByteBuffer buffer;
    private RecordBatch next;

    BatchIterator(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public RecordBatch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      RecordBatch batch = next;
      next = null;
      return batch;
    }

    private RecordBatch advance() {
      int position = buffer.position();
      if (buffer.limit() - position < RecordBatch.LOG_OVERHEAD) {
        return null; // not even a length field left
      }
      long size = sizeAt(buffer, position);
      if (size < RecordBatch.RECORD_BATCH_OVERHEAD) {
        throw new CorruptRecordException(
            "record batch at byte "
                + position
                + " has length field "
                + (size - RecordBatch.LOG_OVERHEAD)
                + ", smaller than a batch header");
      }
      if (size > buffer.limit() - position) {
        return null; // a trailing partial batch
      }
      ByteBuffer slice = buffer.duplicate();
      slice.position(position).limit(position + (int) size);
      buffer.position(position + (int) size);
      return RecordBatch.wrap(slice);
    }
  }
}
