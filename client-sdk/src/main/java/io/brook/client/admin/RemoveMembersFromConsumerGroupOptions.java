package io.brook.client.admin;

import java.util.Collection;
import java.util.Set;

/**
 * Options of removeMembersFromConsumerGroup: the static members to remove; none means every member
 * of the group (Kafka's KIP-571: the group is described and each member removed by member id). Not
 * thread-safe.
 */
public final class RemoveMembersFromConsumerGroupOptions
    extends AbstractOptions<RemoveMembersFromConsumerGroupOptions> {
  private final Set<MemberToRemove> members;
  private String reason;

  public RemoveMembersFromConsumerGroupOptions(Collection<MemberToRemove> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("Invalid empty members has been provided");
    }
    this.members = Set.copyOf(members);
  }

  public RemoveMembersFromConsumerGroupOptions() {
    this.members = Set.of();
  }

  public Set<MemberToRemove> members() {
    return members;
  }

  public boolean removeAll() {
    return members.isEmpty();
  }

  public RemoveMembersFromConsumerGroupOptions reason(String reason) {
    this.reason = reason;
    return this;
  }

  public String reason() {
    return reason;
  }
}
