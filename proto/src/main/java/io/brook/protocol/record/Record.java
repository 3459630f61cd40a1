package io.brook.protocol.record;

import io.brook.common.Header;
import java.nio.ByteBuffer;

/**
 * One record as read from a {@link RecordBatch}: absolute offset and timestamp, optional key and
 * value, headers.
 *
 * <p>Immutable; the key and value buffers returned are fresh views (position 0) that may share
 * bytes with the batch, so readers must not write through them.
 */
public interface Record {
  /** Absolute offset: the batch's base offset plus this record's offset delta. */
  long offset();

  /**
   * Absolute timestamp: the batch's base timestamp plus this record's delta, or the batch's max
   * timestamp for every record of a LogAppendTime batch.
   */
  long timestamp();

  /**
   * Encoded size of this record inside the (uncompressed) records section, length prefix included.
   */
  int sizeInBytes();

  /** The key, or {@code null} for a null key. */
  ByteBuffer key();

  /** The value, or {@code null} for a null value (a tombstone). */
  ByteBuffer value();

  /** Key size in bytes, -1 for a null key. */
  int keySize();

  /** Value size in bytes, -1 for a null value. */
  int valueSize();

  default boolean hasKey() {
    return keySize() >= 0;
  }

  default boolean hasValue() {
    return valueSize() >= 0;
  }

  /** The headers in the order they were written (never null; empty when there are none). */
  Header[] headers();
}
