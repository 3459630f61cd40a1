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
    long fileDeleteDelayMs) {

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
          60000L);

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
   * it knows; other names (cleanup.policy, min.insync.replicas, ...) are ignored here.
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
          fileDeleteDelayMs);
    }
  }
}
