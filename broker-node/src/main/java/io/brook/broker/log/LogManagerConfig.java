package io.brook.broker.log;

/**
 * The broker-level settings of the {@link LogManager}, under Kafka's names. Immutable.
 *
 * @param defaultLogConfig the topic-level settings of logs loaded at startup (the broker applies
 *     each topic's own settings through {@link LogManager#getOrCreateLog} or {@link
 *     Log#updateConfig})
 * @param recoveryThreadsPerDataDir {@code num.recovery.threads.per.data.dir}
 * @param retentionCheckIntervalMs {@code log.retention.check.interval.ms}
 * @param flushSchedulerIntervalMs {@code log.flush.scheduler.interval.ms}: how often logs are
 *     checked against their {@code flush.ms}; Long.MAX_VALUE (Kafka's default) means every 1000 ms
 *     here, so that a topic's flush.ms still works
 * @param flushCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms}: recovery points
 *     and high watermarks are checkpointed this often
 * @param flushStartOffsetCheckpointIntervalMs {@code log.flush.start.offset.checkpoint.interval.ms}
 */
public record LogManagerConfig(
    LogConfig defaultLogConfig,
    int recoveryThreadsPerDataDir,
    long retentionCheckIntervalMs,
    long flushSchedulerIntervalMs,
    long flushCheckpointIntervalMs,
    long flushStartOffsetCheckpointIntervalMs) {

  public static final LogManagerConfig DEFAULT =
      new LogManagerConfig(LogConfig.DEFAULT, 1, 300_000L, Long.MAX_VALUE, 60_000L, 60_000L);

  public LogManagerConfig {
    if (defaultLogConfig == null) {
      throw new IllegalArgumentException("defaultLogConfig must not be null");
    }
    check(
        recoveryThreadsPerDataDir >= 1,
        "num.recovery.threads.per.data.dir",
        recoveryThreadsPerDataDir);
    check(
        retentionCheckIntervalMs >= 1, "log.retention.check.interval.ms", retentionCheckIntervalMs);
    check(
        flushSchedulerIntervalMs >= 1, "log.flush.scheduler.interval.ms", flushSchedulerIntervalMs);
    check(
        flushCheckpointIntervalMs >= 1,
        "log.flush.offset.checkpoint.interval.ms",
        flushCheckpointIntervalMs);
    check(
        flushStartOffsetCheckpointIntervalMs >= 1,
        "log.flush.start.offset.checkpoint.interval.ms",
        flushStartOffsetCheckpointIntervalMs);
  }

  private static void check(boolean ok, String key, long value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid value " + value + " for " + key);
    }
  }

  /** The interval actually used for the flush.ms check. */
  public long effectiveFlushSchedulerIntervalMs() {
    return flushSchedulerIntervalMs == Long.MAX_VALUE ? 1000L : flushSchedulerIntervalMs;
  }

  public LogManagerConfig withDefaultLogConfig(LogConfig c) {
    return new LogManagerConfig(
        c,
        recoveryThreadsPerDataDir,
        retentionCheckIntervalMs,
        flushSchedulerIntervalMs,
        flushCheckpointIntervalMs,
        flushStartOffsetCheckpointIntervalMs);
  }
}
