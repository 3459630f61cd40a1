package io.brook.client.admin;

import java.util.Optional;

/**
 * A group as listConsumerGroups returns it, as Kafka's {@code ConsumerGroupListing}: a "simple"
 * group is one with an empty protocol type (only offsets committed from outside a membership, e.g.
 * by consumers using assign()). Immutable.
 */
public record ConsumerGroupListing(
    String groupId, boolean isSimpleConsumerGroup, Optional<ConsumerGroupState> state) {
  public ConsumerGroupListing(String groupId, boolean isSimpleConsumerGroup) {
    this(groupId, isSimpleConsumerGroup, Optional.empty());
  }
}
