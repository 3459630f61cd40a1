package io.brook.client.admin;

import io.brook.client.common.Node;
import java.util.List;

/**
 * A consumer group as describeConsumerGroups returns it, as Kafka's {@code
 * ConsumerGroupDescription}: its members, the chosen assignor ({@code partitionAssignor}, empty
 * unless Stable), the state and the coordinator. A group unknown to its coordinator is described as
 * {@link ConsumerGroupState#DEAD} with no members. Immutable.
 */
public record ConsumerGroupDescription(
    String groupId,
    boolean isSimpleConsumerGroup,
    List<MemberDescription> members,
    String partitionAssignor,
    ConsumerGroupState state,
    Node coordinator) {
  public ConsumerGroupDescription {
    members = List.copyOf(members);
  }
}
