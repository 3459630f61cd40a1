package io.brook.client.producer;

import io.brook.client.common.header.Headers;
import io.brook.common.Header;
import java.util.Objects;

/**
 * A record to send: topic, optional partition, optional timestamp (else now), key, value and
 * headers. Immutable apart from its headers, which become read-only when sent.
 */
public final class ProducerRecord<K, V> {
  private final String topic;
  private final Integer partition;
  private final Headers headers;
  private final K key;
  private final V value;
  private final Long timestamp;

  public ProducerRecord(
      String topic, Integer partition, Long timestamp, K key, V value, Iterable<Header> headers) {
    if (topic == null) {
      throw new IllegalArgumentException("Topic cannot be null.");
    }
    if (timestamp != null && timestamp < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid timestamp: %d. Timestamp should always be non-negative or null.",
              timestamp));
    }
    if (partition != null && partition < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid partition: %d. Partition number should always be non-negative or null.",
              partition));
    }
    this.topic = topic;
    this.partition = partition;
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.headers = headers instanceof Headers h ? h : headers == null ? null : new Headers(headers);
  }

  public ProducerRecord(String topic, Integer partition, Long timestamp, K key, V value) {
    this(topic, partition, timestamp, key, value, null);
  }

  public ProducerRecord(String topic, Integer partition, K key, V value, Iterable<Header> headers) {
    this(topic, partition, null, key, value, headers);
  }

  public ProducerRecord(String topic, Integer partition, K key, V value) {
    this(topic, partition, null, key, value, null);
  }

  public ProducerRecord(String topic, K key, V value) {
    this(topic, null, null, key, value, null);
  }

  public ProducerRecord(String topic, V value) {
    this(topic, null, null, null, value, null);
  }

  public String topic() {
    return topic;
  }

  /** The headers; an empty, mutable set when none were given. */
  public Headers headers() {
    return headers == null ? new Headers() : headers;
  }

  /** The headers as given, or null: avoids creating an empty set on the hot path. */
  Headers headersOrNull() {
    return headers;
  }

  public K key() {
    return key;
  }

  public V value() {
    return value;
  }

  public Long timestamp() {
    return timestamp;
  }

  public Integer partition() {
    return partition;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ProducerRecord<?, ?> r)) {
      return false;
    }
    return topic.equals(r.topic)
        && Objects.equals(partition, r.partition)
        && Objects.equals(headers(), r.headers())
        && Objects.equals(key, r.key)
        && Objects.equals(value, r.value)
        && Objects.equals(timestamp, r.timestamp);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, key, value, timestamp);
  }

  @Override
  public String toString() {
    return "ProducerRecord(topic="
        + topic
        + ", partition="
        + partition
        + ", headers="
        + headers
        + ", key="
        + key
        + ", value="
        + value
        + ", timestamp="
        + timestamp
        + ")";
  }
}
