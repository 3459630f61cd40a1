package io.brook.broker.log;

import java.nio.ByteBuffer;

/**
 * The result of {@link Log#read}: whole record batches, as stored, read from the log. Immutable
 * (the buffer belongs to the caller; nothing else refers to it).
 *
 * @param fetchOffset the offset asked for
 * @param records zero or more whole batches (position 0; empty when there is nothing to return)
 * @param logStartOffset the log start offset at the time of the read
 * @param logEndOffset the log end offset at the time of the read
 */
public record FetchDataInfo(
    long fetchOffset, ByteBuffer records, long logStartOffset, long logEndOffset) {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  static FetchDataInfo empty(long fetchOffset, long logStartOffset, long logEndOffset) {
    return new FetchDataInfo(fetchOffset, EMPTY.duplicate(), logStartOffset, logEndOffset);
  }
}
