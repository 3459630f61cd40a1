package io.brook.broker.log;

/**
 * What one append did. Immutable.
 *
 * @param firstOffset offset of the first record appended
 * @param lastOffset offset of the last record appended
 * @param maxTimestamp largest batch max timestamp among the appended batches
 * @param offsetOfMaxTimestamp base offset of the batch that holds {@code maxTimestamp}
 * @param logAppendTime the broker's clock at append when the topic uses LogAppendTime, else -1
 * @param numRecords records appended (the sum of the batches' record counts)
 * @param validBytes bytes appended
 * @param logStartOffset the log start offset after the append
 * @param duplicate the append was a retry of a batch of an idempotent producer that is already in
 *     the log: nothing was appended, and {@code firstOffset} / {@code lastOffset} are those of the
 *     original batch
 */
public record LogAppendInfo(
    long firstOffset,
    long lastOffset,
    long maxTimestamp,
    long offsetOfMaxTimestamp,
    long logAppendTime,
    int numRecords,
    int validBytes,
    long logStartOffset,
    boolean duplicate) {

  /** An append that was not a duplicate. */
  public LogAppendInfo(
      long firstOffset,
      long lastOffset,
      long maxTimestamp,
      long offsetOfMaxTimestamp,
      long logAppendTime,
      int numRecords,
      int validBytes,
      long logStartOffset) {
    this(
        firstOffset,
        lastOffset,
        maxTimestamp,
        offsetOfMaxTimestamp,
        logAppendTime,
        numRecords,
        validBytes,
        logStartOffset,
        false);
  }
}
