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
 * @param producerIdExpirationMs {@code producer.id.expiration.ms}: an idempotent producer's state
 *     is forgotten when its last batch is this old (Kafka's default: one day)
 * @param producerIdExpirationCheckIntervalMs {@code producer.id.expiration.check.interval.ms}
 * @param cleanerConfig the {@code log.cleaner.*} settings of the {@link LogCleaner}
 */
public record LogManagerConfig(
    LogConfig defaultLogConfig,
    int recoveryThreadsPerDataDir,
    long retentionCheckIntervalMs,
    long flushSchedulerIntervalMs,
    long flushCheckpointIntervalMs,
    long flushStartOffsetCheckpointIntervalMs,
    long producerIdExpirationMs,
    long producerIdExpirationCheckIntervalMs,
    CleanerConfig cleanerConfig) {

  public static final String PRODUCER_ID_EXPIRATION_MS_CONFIG = "producer.id.expiration.ms";
  public static final long PRODUCER_ID_EXPIRATION_MS_DEFAULT = 86_400_000L;
  public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS_CONFIG =
      "producer.id.expiration.check.interval.ms";
  public static final long PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS_DEFAULT = 600_000L;

  public static final LogManagerConfig DEFAULT =
      new LogManagerConfig(LogConfig.DEFAULT, 1, 300_000L, Long.MAX_VALUE, 60_000L, 60_000L);

  /** With Kafka's defaults for producer.id.expiration.ms and its check interval. */
  public LogManagerConfig(
      LogConfig defaultLogConfig,
      int recoveryThreadsPerDataDir,
      long retentionCheckIntervalMs,
      long flushSchedulerIntervalMs,
      long flushCheckpointIntervalMs,
      long flushStartOffsetCheckpointIntervalMs) {
    this(
        defaultLogConfig,
        recoveryThreadsPerDataDir,
        retentionCheckIntervalMs,
        flushSchedulerIntervalMs,
        flushCheckpointIntervalMs,
        flushStartOffsetCheckpointIntervalMs,
        PRODUCER_ID_EXPIRATION_MS_DEFAULT,
        PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS_DEFAULT,
        CleanerConfig.DEFAULT);
  }

  /** With the cleaner's defaults ({@link CleanerConfig#DEFAULT}). */
  public LogManagerConfig(
      LogConfig defaultLogConfig,
      int recoveryThreadsPerDataDir,
      long retentionCheckIntervalMs,
      long flushSchedulerIntervalMs,
      long flushCheckpointIntervalMs,
      long flushStartOffsetCheckpointIntervalMs,
      long producerIdExpirationMs,
      long producerIdExpirationCheckIntervalMs) {
    this(
        defaultLogConfig,
        recoveryThreadsPerDataDir,
        retentionCheckIntervalMs,
        flushSchedulerIntervalMs,
        flushCheckpointIntervalMs,
        flushStartOffsetCheckpointIntervalMs,
        producerIdExpirationMs,
        producerIdExpirationCheckIntervalMs,
        CleanerConfig.DEFAULT);
  }

  public LogManagerConfig {
    if (defaultLogConfig == null) {
      throw new IllegalArgumentException("defaultLogConfig must not be null");
    }
    if (cleanerConfig == null) {
      throw new IllegalArgumentException("cleanerConfig must not be null");
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
    check(producerIdExpirationMs >= 1, PRODUCER_ID_EXPIRATION_MS_CONFIG, producerIdExpirationMs);
    check(
        producerIdExpirationCheckIntervalMs >= 1,
        PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS_CONFIG,
        producerIdExpirationCheckIntervalMs);
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
        flushStartOffsetCheckpointIntervalMs,
        producerIdExpirationMs,
        producerIdExpirationCheckIntervalMs,
        cleanerConfig);
  }

  /** This config with producer.id.expiration.ms and its check interval set. */
  public LogManagerConfig withProducerIdExpiration(long expirationMs, long checkIntervalMs) {
    return new LogManagerConfig(
        defaultLogConfig,
        recoveryThreadsPerDataDir,
        retentionCheckIntervalMs,
        flushSchedulerIntervalMs,
        flushCheckpointIntervalMs,
        flushStartOffsetCheckpointIntervalMs,
        expirationMs,
        checkIntervalMs,
        cleanerConfig);
  }

  /** This config with the log.cleaner.* settings {@code c}. */
  public LogManagerConfig withCleanerConfig(CleanerConfig c) {
    return new LogManagerConfig(
        defaultLogConfig,
        recoveryThreadsPerDataDir,
        retentionCheckIntervalMs,
        flushSchedulerIntervalMs,
        flushCheckpointIntervalMs,
        flushStartOffsetCheckpointIntervalMs,
        producerIdExpirationMs,
        producerIdExpirationCheckIntervalMs,
        c);
  }
}
