package io.brook.client.admin;

import io.brook.common.TopicPartition;
import java.util.Set;

/** The partitions assigned to a group member, as Kafka's {@code MemberAssignment}. Immutable. */
public record MemberAssignment(Set<TopicPartition> topicPartitions) {
  public MemberAssignment {
    topicPartitions = Set.copyOf(topicPartitions);
  }
}
