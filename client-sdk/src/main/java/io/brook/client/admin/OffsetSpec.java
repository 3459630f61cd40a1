package io.brook.client.admin;

/**
 * Which offset listOffsets looks up, as Kafka's {@code OffsetSpec}: the earliest (log start), the
 * latest (high watermark), the record with the largest timestamp, or the first offset whose
 * timestamp is at least a given one.
 */
public sealed interface OffsetSpec {
  /** The wire value of ListOffsetsPartition.timestamp. */
  long timestamp();

  record EarliestSpec() implements OffsetSpec {
    @Override
    public long timestamp() {
      return -2L;
    }
  }

  record LatestSpec() implements OffsetSpec {
    @Override
    public long timestamp() {
      return -1L;
    }
  }

  record MaxTimestampSpec() implements OffsetSpec {
    @Override
    public long timestamp() {
      return -3L;
    }
  }

  record TimestampSpec(long timestamp) implements OffsetSpec {}

  static OffsetSpec earliest() {
    return new EarliestSpec();
  }

  static OffsetSpec latest() {
    return new LatestSpec();
  }

  static OffsetSpec maxTimestamp() {
    return new MaxTimestampSpec();
  }

  static OffsetSpec forTimestamp(long timestamp) {
    return new TimestampSpec(timestamp);
  }
}
