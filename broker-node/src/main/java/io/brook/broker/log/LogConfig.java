package io.brook.broker.log;

import io.brook.protocol.record.TimestampType;
import java.util.Map;

/**
 * The topic-level settings of one log, under Kafka's topic-level names. Immutable; change a log's
 * settings with {@link Log#updateConfig}.
 *
 * @param segmentBytes {@code segment.bytes}: a segment is rolled before it would exceed this size
 * @param segmentMs {@code segment.ms}: a segment is rolled once its first batch is this old
 * @param segmentJitterMs {@code segment.jitter.ms}: subtracted from segmentMs (random per segment
 *     in Kafka; fixed here so that rolls are reproducible)
 * @param retentionMs {@code retention.ms}: segments whose newest batch is older are deleted; -1 =
 *     unlimited
 * @param retentionBytes {@code retention.bytes}: oldest segments are deleted while the log is
 *     larger; -1 = unlimited
 * @param maxMessageBytes {@code max.message.bytes}: largest batch accepted
 * @param flushMessages {@code flush.messages}: fsync after this many records
 * @param flushMs {@code flush.ms}: fsync when the last flush is this old
 * @param indexIntervalBytes {@code index.interval.bytes}: bytes between offset-index entries
 * @param maxIndexSize {@code segment.index.bytes}: size of a segment's index files; a segment rolls
 *     when an index is full
 * @param messageTimestampType {@code message.timestamp.type}
 * @param fileDeleteDelayMs {@code file.delete.delay.ms}: delay between renaming a deleted segment
 *     to {@code .deleted} and removing it
 * @param compact {@code cleanup.policy} holds {@code compact}: the {@link LogCleaner} keeps the
 *     latest record of each key
 * @param delete {@code cleanup.policy} holds {@code delete}: retention.ms and retention.bytes
 *     delete old segments (a compact-only log keeps every segment the cleaner leaves)
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: a compacted log is cleaned once
 *     its dirty bytes make up at least this share of its cleanable bytes
 * @param deleteRetentionMs {@code delete.retention.ms}: how long a tombstone (null value) stays,
 *     counted from its timestamp, once it has been through one cleaning
 * @param minCompactionLagMs {@code min.compaction.lag.ms}: a segment whose newest record is younger
 *     is not cleaned yet
 * @param maxCompactionLagMs {@code max.compaction.lag.ms}: a log whose oldest dirty record is older
 *     is cleaned whatever its dirty ratio; also caps segment.ms of compacted logs
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    long segmentJitterMs,
    long retentionMs,
    long retentionBytes,
    int maxMessageBytes,
    long flushMessages,
    long flushMs,
    int indexIntervalBytes,
    int maxIndexSize,
    TimestampType messageTimestampType,
    long fileDeleteDelayMs,
    boolean compact,
    boolean delete,
    double minCleanableDirtyRatio,
    long deleteRetentionMs,
    long minCompactionLagMs,
    long maxCompactionLagMs) {

  public static final String SEGMENT_BYTES_CONFIG = "segment.bytes";
  public static final String SEGMENT_MS_CONFIG = "segment.ms";
  public static final String SEGMENT_JITTER_MS_CONFIG = "segment.jitter.ms";
  public static final String RETENTION_MS_CONFIG = "retention.ms";
  public static final String RETENTION_BYTES_CONFIG = "retention.bytes";
  public static final String MAX_MESSAGE_BYTES_CONFIG = "max.message.bytes";
  public static final String FLUSH_MESSAGES_CONFIG = "flush.messages";
  public static final String FLUSH_MS_CONFIG = "flush.ms";
  public static final String INDEX_INTERVAL_BYTES_CONFIG = "index.interval.bytes";
  public static final String SEGMENT_INDEX_BYTES_CONFIG = "segment.index.bytes";
  public static final String MESSAGE_TIMESTAMP_TYPE_CONFIG = "message.timestamp.type";
  public static final String FILE_DELETE_DELAY_MS_CONFIG = "file.delete.delay.ms";
  public static final String CLEANUP_POLICY_CONFIG = "cleanup.policy";
  public static final String MIN_CLEANABLE_DIRTY_RATIO_CONFIG = "min.cleanable.dirty.ratio";
  public static final String DELETE_RETENTION_MS_CONFIG = "delete.retention.ms";
  public static final String MIN_COMPACTION_LAG_MS_CONFIG = "min.compaction.lag.ms";
  public static final String MAX_COMPACTION_LAG_MS_CONFIG = "max.compaction.lag.ms";

  /** Kafka's defaults. */
  public static final LogConfig DEFAULT =
      new LogConfig(
          1024 * 1024 * 1024,
          7L * 24 * 60 * 60 * 1000,
          0L,
          7L * 24 * 60 * 60 * 1000,
          -1L,
          1048588,
          Long.MAX_VALUE,
          Long.MAX_VALUE,
          4096,
          10 * 1024 * 1024,
          TimestampType.CREATE_TIME,
          60000L,
          false,
          true,
          0.5,
          86_400_000L,
          0L,
          Long.MAX_VALUE);

  /** The smallest index that holds at least one entry of either kind. */
  static final int MIN_INDEX_SIZE = 12;

  public LogConfig {
    require(segmentBytes >= 14, SEGMENT_BYTES_CONFIG, segmentBytes);
    require(segmentMs >= 1, SEGMENT_MS_CONFIG, segmentMs);
    require(segmentJitterMs >= 0, SEGMENT_JITTER_MS_CONFIG, segmentJitterMs);
    require(retentionMs >= -1, RETENTION_MS_CONFIG, retentionMs);
    require(retentionBytes >= -1, RETENTION_BYTES_CONFIG, retentionBytes);
    require(maxMessageBytes >= 0, MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes);
    require(flushMessages >= 1, FLUSH_MESSAGES_CONFIG, flushMessages);
    require(flushMs >= 0, FLUSH_MS_CONFIG, flushMs);
    require(indexIntervalBytes >= 0, INDEX_INTERVAL_BYTES_CONFIG, indexIntervalBytes);
    require(maxIndexSize >= MIN_INDEX_SIZE, SEGMENT_INDEX_BYTES_CONFIG, maxIndexSize);
    require(fileDeleteDelayMs >= 0, FILE_DELETE_DELAY_MS_CONFIG, fileDeleteDelayMs);
    if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
      throw new IllegalArgumentException(
          "invalid value " + minCleanableDirtyRatio + " for " + MIN_CLEANABLE_DIRTY_RATIO_CONFIG);
    }
    require(deleteRetentionMs >= 0, DELETE_RETENTION_MS_CONFIG, deleteRetentionMs);
    require(minCompactionLagMs >= 0, MIN_COMPACTION_LAG_MS_CONFIG, minCompactionLagMs);
    require(maxCompactionLagMs >= 1, MAX_COMPACTION_LAG_MS_CONFIG, maxCompactionLagMs);
    if (messageTimestampType == null) {
      throw new IllegalArgumentException(MESSAGE_TIMESTAMP_TYPE_CONFIG + " must not be null");
    }
  }

  private static void require(boolean ok, String key, long value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid value " + value + " for " + key);
    }
  }

  /**
   * Starts from {@link #DEFAULT} and applies the topic-level names in {@code topicLevelNames} that
   * it knows; other names (min.insync.replicas, ...) are ignored here.
   *
   * @throws IllegalArgumentException naming the key and the value when a value does not parse or is
   *     out of range
   */
  public static LogConfig fromMap(Map<String, String> topicLevelNames) {
    return DEFAULT.with(topicLevelNames);
  }

  /** This config with the topic-level names in {@code overrides} applied. */
  public LogConfig with(Map<String, String> overrides) {
    Builder b = toBuilder();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? null : e.getValue().trim();
      try {
        switch (key) {
          case SEGMENT_BYTES_CONFIG -> b.segmentBytes(Integer.parseInt(value));
          case SEGMENT_MS_CONFIG -> b.segmentMs(Long.parseLong(value));
          case SEGMENT_JITTER_MS_CONFIG -> b.segmentJitterMs(Long.parseLong(value));
          case RETENTION_MS_CONFIG -> b.retentionMs(Long.parseLong(value));
          case RETENTION_BYTES_CONFIG -> b.retentionBytes(Long.parseLong(value));
          case MAX_MESSAGE_BYTES_CONFIG -> b.maxMessageBytes(Integer.parseInt(value));
          case FLUSH_MESSAGES_CONFIG -> b.flushMessages(Long.parseLong(value));
          case FLUSH_MS_CONFIG -> b.flushMs(Long.parseLong(value));
          case INDEX_INTERVAL_BYTES_CONFIG -> b.indexIntervalBytes(Integer.parseInt(value));
          case SEGMENT_INDEX_BYTES_CONFIG -> b.maxIndexSize(Integer.parseInt(value));
          case MESSAGE_TIMESTAMP_TYPE_CONFIG ->
              b.messageTimestampType(TimestampType.forConfigName(value));
          case FILE_DELETE_DELAY_MS_CONFIG -> b.fileDeleteDelayMs(Long.parseLong(value));
          case CLEANUP_POLICY_CONFIG -> b.cleanupPolicy(value);
          case MIN_CLEANABLE_DIRTY_RATIO_CONFIG ->
              b.minCleanableDirtyRatio(Double.parseDouble(value));
          case DELETE_RETENTION_MS_CONFIG -> b.deleteRetentionMs(Long.parseLong(value));
          case MIN_COMPACTION_LAG_MS_CONFIG -> b.minCompactionLagMs(Long.parseLong(value));
          case MAX_COMPACTION_LAG_MS_CONFIG -> b.maxCompactionLagMs(Long.parseLong(value));
          default -> {
            // not a storage setting
          }
        }
      } catch (RuntimeException ex) {
        throw new IllegalArgumentException(
            "invalid value \"" + value + "\" for " + key + ": " + ex.getMessage(), ex);
      }
    }
    return b.build();
  }

  /**
   * The segment.ms a log rolls by: for a compacted log at most max.compaction.lag.ms, so that a
   * record is never held back from cleaning in the active segment longer than that (Kafka's
   * LogConfig.maxSegmentMs).
   */
  public long maxSegmentMs() {
    return compact ? Math.min(maxCompactionLagMs, segmentMs) : segmentMs;
  }

  public static Builder builder() {
    return DEFAULT.toBuilder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private int segmentBytes;
    private long segmentMs;
    private long segmentJitterMs;
    private long retentionMs;
    private long retentionBytes;
    private int maxMessageBytes;
    private long flushMessages;
    private long flushMs;
    private int indexIntervalBytes;
    private int maxIndexSize;
    private TimestampType messageTimestampType;
    private long fileDeleteDelayMs;
    private boolean compact;
    private boolean delete;
    private double minCleanableDirtyRatio;
    private long deleteRetentionMs;
    private long minCompactionLagMs;
    private long maxCompactionLagMs;

    private Builder(LogConfig c) {
      segmentBytes = c.segmentBytes;
      segmentMs = c.segmentMs;
      segmentJitterMs = c.segmentJitterMs;
      retentionMs = c.retentionMs;
      retentionBytes = c.retentionBytes;
      maxMessageBytes = c.maxMessageBytes;
      flushMessages = c.flushMessages;
      flushMs = c.flushMs;
      indexIntervalBytes = c.indexIntervalBytes;
      maxIndexSize = c.maxIndexSize;
      messageTimestampType = c.messageTimestampType;
      fileDeleteDelayMs = c.fileDeleteDelayMs;
      compact = c.compact;
      delete = c.delete;
      minCleanableDirtyRatio = c.minCleanableDirtyRatio;
      deleteRetentionMs = c.deleteRetentionMs;
      minCompactionLagMs = c.minCompactionLagMs;
      maxCompactionLagMs = c.maxCompactionLagMs;
    }

    public Builder segmentBytes(int v) {
      segmentBytes = v;
      return this;
    }

    public Builder segmentMs(long v) {
      segmentMs = v;
      return this;
    }

    public Builder segmentJitterMs(long v) {
      segmentJitterMs = v;
      return this;
    }

    public Builder retentionMs(long v) {
      retentionMs = v;
      return this;
    }

    public Builder retentionBytes(long v) {
      retentionBytes = v;
      return this;
    }

    public Builder maxMessageBytes(int v) {
      maxMessageBytes = v;
      return this;
    }

    public Builder flushMessages(long v) {
      flushMessages = v;
      return this;
    }

    public Builder flushMs(long v) {
      flushMs = v;
      return this;
    }

    public Builder indexIntervalBytes(int v) {
      indexIntervalBytes = v;
      return this;
    }

    public Builder maxIndexSize(int v) {
      maxIndexSize = v;
      return this;
    }

    public Builder messageTimestampType(TimestampType v) {
      messageTimestampType = v;
      return this;
    }

    public Builder fileDeleteDelayMs(long v) {
      fileDeleteDelayMs = v;
      return this;
    }

    /**
     * {@code cleanup.policy}: a comma-separated list of {@code delete} and {@code compact}.
     *
     * @throws IllegalArgumentException for an empty list or another word
     */
    public Builder cleanupPolicy(String policy) {
      boolean c = false;
      boolean d = false;
      for (String word : policy.split(",")) {
        switch (word.trim()) {
          case "compact" -> c = true;
          case "delete" -> d = true;
          default ->
              throw new IllegalArgumentException(
                  "cleanup.policy must list delete and/or compact, not \"" + word.trim() + "\"");
        }
      }
      compact = c;
      delete = d;
      return this;
    }

    public Builder minCleanableDirtyRatio(double v) {
      minCleanableDirtyRatio = v;
      return this;
    }

    public Builder deleteRetentionMs(long v) {
      deleteRetentionMs = v;
      return this;
    }

    public Builder minCompactionLagMs(long v) {
      minCompactionLagMs = v;
      return this;
    }

    public Builder maxCompactionLagMs(long v) {
      maxCompactionLagMs = v;
      return this;
    }

    public LogConfig build() {
      return new LogConfig(
          segmentBytes,
          segmentMs,
          segmentJitterMs,
          retentionMs,
          retentionBytes,
          maxMessageBytes,
          flushMessages,
          flushMs,
          indexIntervalBytes,
          maxIndexSize,
          messageTimestampType,
          fileDeleteDelayMs,
          compact,
          delete,
          minCleanableDirtyRatio,
          deleteRetentionMs,
          minCompactionLagMs,
          maxCompactionLagMs);
    }
  }
}
