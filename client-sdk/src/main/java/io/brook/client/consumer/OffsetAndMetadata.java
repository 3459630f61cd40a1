package io.brook.client.consumer;

import java.util.Objects;
import java.util.Optional;

/**
 * A committed offset (the next offset to consume), the leader epoch of the last consumed record and
 * an optional metadata string, as Kafka's {@code OffsetAndMetadata}. Immutable.
 */
public final class OffsetAndMetadata {
  private final long offset;
  private final String metadata;
  private final Integer leaderEpoch;

  public OffsetAndMetadata(long offset, Optional<Integer> leaderEpoch, String metadata) {
    if (offset < 0) {
      throw new IllegalArgumentException("Invalid negative offset " + offset);
    }
    this.offset = offset;
    this.leaderEpoch = leaderEpoch.orElse(null);
    this.metadata = metadata == null ? "" : metadata;
  }

  public OffsetAndMetadata(long offset, String metadata) {
    this(offset, Optional.empty(), metadata);
  }

  public OffsetAndMetadata(long offset) {
    this(offset, "");
  }

  public long offset() {
    return offset;
  }

  public String metadata() {
    return metadata;
  }

  /** The leader epoch of the last consumed record, when known. */
  public Optional<Integer> leaderEpoch() {
    return leaderEpoch == null || leaderEpoch < 0 ? Optional.empty() : Optional.of(leaderEpoch);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OffsetAndMetadata that
        && offset == that.offset
        && metadata.equals(that.metadata)
        && Objects.equals(leaderEpoch, that.leaderEpoch);
  }

  @Override
  public int hashCode() {
    return Objects.hash(offset, metadata, leaderEpoch);
  }

  @Override
  public String toString() {
    return "OffsetAndMetadata{offset="
        + offset
        + ", leaderEpoch="
        + leaderEpoch
        + ", metadata='"
        + metadata
        + "'}";
  }
}
