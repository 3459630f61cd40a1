package io.brook.client.producer;

import io.brook.common.TopicPartition;

/** Where an acknowledged record was stored. Immutable. */
public final class RecordMetadata {
  /** The offset when unknown (acks=0, or a failed send). */
  public static final int UNKNOWN_PARTITION = -1;

  private final TopicPartition topicPartition;
  private final long offset;
  private final long timestamp;
  private final int serializedKeySize;
  private final int serializedValueSize;

  /**
   * @param baseOffset the batch's base offset (-1 when unknown)
   * @param batchIndex the record's index in its batch
   */
  public RecordMetadata(
      TopicPartition topicPartition,
      long baseOffset,
      int batchIndex,
      long timestamp,
      int serializedKeySize,
      int serializedValueSize) {
    this.topicPartition = topicPartition;
    this.offset = baseOffset == -1 ? -1 : baseOffset + batchIndex;
    this.timestamp = timestamp;
    this.serializedKeySize = serializedKeySize;
    this.serializedValueSize = serializedValueSize;
  }

  public boolean hasOffset() {
    return offset != -1L;
  }

  /** The record's offset, or -1 when unknown (acks=0). */
  public long offset() {
    return offset;
  }

  public boolean hasTimestamp() {
    return timestamp != -1L;
  }

  /** CreateTime given or assigned by the producer, or the broker's LogAppendTime. */
  public long timestamp() {
    return timestamp;
  }

  /** Size of the serialized key in bytes, or -1 for a null key. */
  public int serializedKeySize() {
    return serializedKeySize;
  }

  /** Size of the serialized value in bytes, or -1 for a null value. */
  public int serializedValueSize() {
    return serializedValueSize;
  }

  public String topic() {
    return topicPartition.topic();
  }

  public int partition() {
    return topicPartition.partition();
  }

  @Override
  public String toString() {
    return topicPartition + "@" + offset;
  }
}
