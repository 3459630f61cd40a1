package io.brook.broker.group;

/**
 * The group coordinator's settings, Kafka's names: {@code group.min.session.timeout.ms}, {@code
 * group.max.session.timeout.ms}, {@code group.initial.rebalance.delay.ms}, {@code group.max.size},
 * {@code offsets.retention.minutes} (as ms), {@code offsets.retention.check.interval.ms}, {@code
 * offset.metadata.max.bytes}, {@code offsets.commit.timeout.ms}.
 */
public record GroupConfig(
    int groupMinSessionTimeoutMs,
    int groupMaxSessionTimeoutMs,
    int groupInitialRebalanceDelayMs,
    int groupMaxSize,
    long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs,
    int offsetMetadataMaxBytes,
    int offsetsCommitTimeoutMs) {

  /** Kafka's defaults. */
  public static final GroupConfig DEFAULT =
      new GroupConfig(
          6000, 1_800_000, 3000, Integer.MAX_VALUE, 7L * 24 * 3600 * 1000, 600_000L, 4096, 5000);
}
