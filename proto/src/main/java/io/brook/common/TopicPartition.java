package io.brook.common;

/** A topic name and a partition number. Immutable. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
  public TopicPartition {
    if (topic == null) {
      throw new NullPointerException("topic");
    }
  }

  @Override
  public int compareTo(TopicPartition o) {
    int c = topic.compareTo(o.topic);
    return c != 0 ? c : Integer.compare(partition, o.partition);
  }

  /** {@code topic-partition}, as in directory names and Kafka's tools. */
  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
