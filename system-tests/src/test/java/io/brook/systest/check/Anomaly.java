package io.brook.systest.check;

/** The kinds of misbehaviour the {@link Checker} counts; see each constant for the exact rule. */
public enum Anomaly {
  /**
   * An acknowledged record not found at exactly its acknowledged offset in the final read; for an
   * acknowledgement without an offset (acks=0, or a broker that answered a duplicate sequence with
   * offset -1), an acknowledged record not found anywhere in the topic's final read.
   */
  LOST("lost"),
  /** A value found at more than one (partition, offset) by the consumers and the final read. */
  DUPLICATES("duplicates"),
  /**
   * A (partition, offset) seen with two or more values across consumer polls, the final read and
   * the replica dumps below the high watermark.
   */
  TWO_VALUES("twoValues"),
  /**
   * A (partition, offset, value) read (consumer, final read, replica below HW) whose value fails
   * its checksum, was never sent, failed definitely, or names another topic or partition.
   */
  UNEXPECTED("unexpected"),
  /**
   * Within one consumer's reads of one partition, a record whose offset is not the previous one + 1
   * (a gap or a step back); a seek sets the expected next offset. The final read counts as one
   * consumer that starts at 0.
   */
  SKIPS("skips"),
  /**
   * A replica (broker, partition) whose own log differs from the final read below the high
   * watermark: a record missing or different, or an invalid batch there; or a replica log in which
   * two valid batches hold the same offset.
   */
  DIVERGENT("divergent"),
  /** A (partition, offset, value) a consumer read that the final read does not hold there. */
  VANISHED("vanished");

  private final String column;

  Anomaly(String column) {
    this.column = column;
  }

  /** The name used in the report table. */
  public String column() {
    return column;
  }

  /**
   * Whether any occurrence fails the run for a topic produced with {@code acks}: always, except
   * losses and duplicates of acks=1 / acks=0 topics, which are only reported.
   */
  public boolean mustBeZero(AckMode acks) {
    if (acks == AckMode.ALL) {
      return true;
    }
    return this != LOST && this != DUPLICATES;
  }
}
