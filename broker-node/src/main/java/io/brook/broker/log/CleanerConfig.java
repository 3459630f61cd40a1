package io.brook.broker.log;

/**
 * The broker-level settings of the {@link LogCleaner}, under Kafka's names. Immutable.
 *
 * @param numThreads {@code log.cleaner.threads}: cleaner threads (0: none run)
 * @param dedupeBufferSize {@code log.cleaner.dedupe.buffer.size}: memory for the key -> offset maps
 *     of all threads together; a cleaning that needs fewer keys allocates less
 * @param dedupeBufferLoadFactor {@code log.cleaner.io.buffer.load.factor}: the share of a map's
 *     slots that may be filled
 * @param ioBufferSize {@code log.cleaner.io.buffer.size}: bytes read from a segment at a time (and
 *     written to the cleaned one); a larger batch is read on its own
 * @param backoffMs {@code log.cleaner.backoff.ms}: how long a thread waits when no log needs
 *     cleaning
 * @param enableCleaner {@code log.cleaner.enable}
 */
public record CleanerConfig(
    int numThreads,
    long dedupeBufferSize,
    double dedupeBufferLoadFactor,
    int ioBufferSize,
    long backoffMs,
    boolean enableCleaner) {

  /** Kafka's defaults. */
  public static final CleanerConfig DEFAULT =
      new CleanerConfig(1, 128L * 1024 * 1024, 0.9, 512 * 1024, 15_000L, true);

  public CleanerConfig {
    require(numThreads >= 0, "log.cleaner.threads", numThreads);
    require(dedupeBufferSize >= 1, "log.cleaner.dedupe.buffer.size", dedupeBufferSize);
    if (!(dedupeBufferLoadFactor > 0 && dedupeBufferLoadFactor <= 1)) {
      throw new IllegalArgumentException(
          "invalid value " + dedupeBufferLoadFactor + " for log.cleaner.io.buffer.load.factor");
    }
    require(ioBufferSize >= 1, "log.cleaner.io.buffer.size", ioBufferSize);
    require(backoffMs >= 0, "log.cleaner.backoff.ms", backoffMs);
  }

  private static void require(boolean ok, String key, long value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid value " + value + " for " + key);
    }
  }

  /** Whether cleaner threads run at all. */
  public boolean runsThreads() {
    return enableCleaner && numThreads > 0;
  }
}
