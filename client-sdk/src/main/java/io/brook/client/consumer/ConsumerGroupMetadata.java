package io.brook.client.consumer;

import java.util.Objects;
import java.util.Optional;

/** A consumer's view of its group: id, generation, member id, group.instance.id. Immutable. */
public final class ConsumerGroupMetadata {
  private final String groupId;
  private final int generationId;
  private final String memberId;
  private final Optional<String> groupInstanceId;

  public ConsumerGroupMetadata(
      String groupId, int generationId, String memberId, Optional<String> groupInstanceId) {
    this.groupId = Objects.requireNonNull(groupId, "groupId");
    this.generationId = generationId;
    this.memberId = Objects.requireNonNull(memberId, "memberId");
    this.groupInstanceId = Objects.requireNonNull(groupInstanceId, "groupInstanceId");
  }

  public ConsumerGroupMetadata(String groupId) {
    this(groupId, -1, "", Optional.empty());
  }

  public String groupId() {
    return groupId;
  }

  public int generationId() {
    return generationId;
  }

  public String memberId() {
    return memberId;
  }

  public Optional<String> groupInstanceId() {
    return groupInstanceId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsumerGroupMetadata that
        && generationId == that.generationId
        && groupId.equals(that.groupId)
        && memberId.equals(that.memberId)
        && groupInstanceId.equals(that.groupInstanceId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(groupId, generationId, memberId, groupInstanceId);
  }

  @Override
  public String toString() {
    return "GroupMetadata(groupId = "
        + groupId
        + ", generationId = "
        + generationId
        + ", memberId = "
        + memberId
        + ", groupInstanceId = "
        + groupInstanceId.orElse("")
        + ")";
  }
}
