package io.brook.client.consumer;

import io.brook.client.consumer.internals.AbstractStickyAssignor;
import io.brook.client.consumer.internals.StickyAssignorUserData;
import io.brook.client.consumer.internals.StickyAssignorUserData.MemberData;
import io.brook.common.TopicPartition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka's sticky assignor ("sticky") for the EAGER protocol: balanced (see {@link
 * AbstractStickyAssignor}) and preserving as much of the previous assignment as balance allows.
 *
 * <p>Under EAGER a member revokes all its partitions before rejoining, so its subscription's owned
 * partitions are empty; like Kafka's, this assignor instead remembers the partitions and generation
 * of the last assignment it received ({@link #onAssignment}) and sends them as user data ({@link
 * StickyAssignorUserData}'s layout), which the leader decodes to be sticky.
 *
 * <p>Thread rules: {@link #onAssignment} and {@link #subscriptionUserData} are called by the
 * member's coordinator; the remembered assignment is published through a volatile field so either
 * may run on any thread. {@link #assign} uses no state.
 */
public class StickyAssignor extends AbstractStickyAssignor {
  public static final String STICKY_ASSIGNOR_NAME = "sticky";

  /** The last assignment received and its generation; null before the first. */
  private volatile MemberData memberAssignment;

  @Override
  public String name() {
    return STICKY_ASSIGNOR_NAME;
  }

  @Override
  public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
    int generation = metadata == null ? DEFAULT_GENERATION : metadata.generationId();
    memberAssignment =
        new MemberData(
            assignment.partitions(), generation < 0 ? Optional.empty() : Optional.of(generation));
  }

  @Override
  public ByteBuffer subscriptionUserData(Set<String> topics) {
    MemberData last = memberAssignment;
    if (last == null) {
      return null;
    }
    return StickyAssignorUserData.encode(
        last.partitions(), last.generation().orElse(DEFAULT_GENERATION));
  }

  /** Always from the user data: EAGER members send no owned partitions. */
  @Override
  protected MemberData memberData(Subscription subscription) {
    return StickyAssignorUserData.decode(subscription.userData());
  }

  /** The partitions this member last received (empty before the first assignment). */
  List<TopicPartition> lastAssignment() {
    MemberData last = memberAssignment;
    return last == null ? List.of() : last.partitions();
  }
}
