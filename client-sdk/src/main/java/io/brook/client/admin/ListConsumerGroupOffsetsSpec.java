package io.brook.client.admin;

import io.brook.common.TopicPartition;
import java.util.Collection;
import java.util.List;

/**
 * Which partitions' committed offsets to list for one group (Kafka's {@code
 * ListConsumerGroupOffsetsSpec}): null means every partition the group has an offset for. Not
 * thread-safe.
 */
public final class ListConsumerGroupOffsetsSpec {
  private Collection<TopicPartition> topicPartitions;

  public ListConsumerGroupOffsetsSpec topicPartitions(Collection<TopicPartition> partitions) {
    this.topicPartitions = partitions == null ? null : List.copyOf(partitions);
    return this;
  }

  public Collection<TopicPartition> topicPartitions() {
    return topicPartitions;
  }
}
