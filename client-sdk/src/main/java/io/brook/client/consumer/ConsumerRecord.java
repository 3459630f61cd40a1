package io.brook.client.consumer;

import io.brook.client.common.header.Headers;
import io.brook.protocol.record.TimestampType;

/**
 * A record read from a partition. Immutable (apart from its headers, which should not be changed).
 */
public final class ConsumerRecord<K, V> {
  public static final long NO_TIMESTAMP = -1L;
  public static final int NULL_SIZE = -1;

  private final String topic;
  private final int partition;
  private final long offset;
  private final long timestamp;
  private final TimestampType timestampType;
  private final int serializedKeySize;
  private final int serializedValueSize;
  private final Headers headers;
  private final K key;
  private final V value;
  private final int leaderEpoch;

  public ConsumerRecord(
      String topic,
      int partition,
      long offset,
      long timestamp,
      TimestampType timestampType,
      int serializedKeySize,
      int serializedValueSize,
      K key,
      V value,
      Headers headers,
      int leaderEpoch) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.timestampType = timestampType;
    this.serializedKeySize = serializedKeySize;
    this.serializedValueSize = serializedValueSize;
    this.key = key;
    this.value = value;
    this.headers = headers == null ? new Headers() : headers;
    this.leaderEpoch = leaderEpoch;
  }

  public ConsumerRecord(String topic, int partition, long offset, K key, V value) {
    this(
        topic,
        partition,
        offset,
        NO_TIMESTAMP,
        TimestampType.CREATE_TIME,
        NULL_SIZE,
        NULL_SIZE,
        key,
        value,
        null,
        -1);
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return partition;
  }

  public Headers headers() {
    return headers;
  }

  public K key() {
    return key;
  }

  public V value() {
    return value;
  }

  public long offset() {
    return offset;
  }

  public long timestamp() {
    return timestamp;
  }

  public TimestampType timestampType() {
    return timestampType;
  }

  /** Size of the key in bytes, or -1 for a null key. */
  public int serializedKeySize() {
    return serializedKeySize;
  }

  /** Size of the value in bytes, or -1 for a null value. */
  public int serializedValueSize() {
    return serializedValueSize;
  }

  /** The leader epoch under which the record was appended, or -1. */
  public int leaderEpoch() {
    return leaderEpoch;
  }

  @Override
  public String toString() {
    return "ConsumerRecord(topic = "
        + topic
        + ", partition = "
        + partition
        + ", leaderEpoch = "
        + leaderEpoch
        + ", offset = "
        + offset
        + ", "
        + timestampType.configName
        + " = "
        + timestamp
        + ", serialized key size = "
        + serializedKeySize
        + ", serialized value size = "
        + serializedValueSize
        + ", headers = "
        + headers
        + ", key = "
        + key
        + ", value = "
        + value
        + ")";
  }
}
