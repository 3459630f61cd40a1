package io.brook.client.consumer;

import io.brook.client.consumer.internals.AbstractStickyAssignor;
import io.brook.client.consumer.internals.StickyAssignorUserData;
import io.brook.client.consumer.internals.StickyAssignorUserData.MemberData;
import io.brook.common.TopicPartition;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Kafka's cooperative sticky assignor ("cooperative-sticky", KIP-429): the sticky algorithm of
 * {@link AbstractStickyAssignor} over the partitions members report owning in their subscription,
 * for the COOPERATIVE protocol (EAGER supported as a fallback while a group upgrades).
 *
 * <p>Invariant ("revoke first, assign in the next rebalance"): a partition is given only to a
 * member that validly owns it (its claim survived {@link AbstractStickyAssignor}'s validation) or
 * that no other member claims. A partition given to a new owner while another member still lists it
 * is withheld: the old owner sees it missing from its assignment, revokes it and rejoins, and the
 * following rebalance assigns it. Claims count on the losing side whatever their generation, since
 * a stale member may still be fetching until it revokes; so no partition has two owners in one
 * generation. Under EAGER members own nothing when they join, so nothing is withheld.
 *
 * <p>Thread rules: the member-side generation ({@link #onAssignment}, {@link
 * #subscriptionUserData}) is a volatile field; {@link #assign} uses no state.
 */
public class CooperativeStickyAssignor extends AbstractStickyAssignor {
  private static final Logger LOG = LogManager.getLogger(CooperativeStickyAssignor.class);

  public static final String COOPERATIVE_STICKY_ASSIGNOR_NAME = "cooperative-sticky";

  /** The generation of the last assignment received, sent as user data. */
  private volatile int generation = DEFAULT_GENERATION;

  @Override
  public String name() {
    return COOPERATIVE_STICKY_ASSIGNOR_NAME;
  }

  @Override
  public List<RebalanceProtocol> supportedProtocols() {
    return List.of(RebalanceProtocol.COOPERATIVE, RebalanceProtocol.EAGER);
  }

  @Override
  public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
    generation = metadata == null ? DEFAULT_GENERATION : metadata.generationId();
  }

  /** The generation alone, as Kafka sends for members that cannot read the subscription's. */
  @Override
  public ByteBuffer subscriptionUserData(Set<String> topics) {
    return StickyAssignorUserData.encodeGeneration(generation);
  }

  /** Owned partitions from the subscription; generation from it too, else from the user data. */
  @Override
  protected MemberData memberData(Subscription subscription) {
    Optional<Integer> gen = subscription.generationId();
    if (gen.isEmpty()) {
      gen = StickyAssignorUserData.decodeGeneration(subscription.userData());
    }
    return new MemberData(subscription.ownedPartitions(), gen);
  }

  @Override
  protected void adjustAssignment(
      Map<String, List<TopicPartition>> assignment,
      Map<String, Subscription> subscriptions,
      ValidClaims claims) {
    Map<TopicPartition, String> transferring =
        partitionsTransferringOwnership(subscriptions, claims.owned(), assignment);
    if (!transferring.isEmpty()) {
      LOG.debug(
          "Withholding partitions moving to a new owner until their owner revoked them: {}",
          new TreeMap<>(transferring));
      transferring.forEach((tp, newOwner) -> assignment.get(newOwner).remove(tp));
    }
  }

  /**
   * The partitions given to a member that does not validly own them while another member claims
   * them, with that new owner: Kafka's {@code partitionsTransferringOwnership}. Any claim counts on
   * the losing side, even a stale or conflicting one, because the claimant may still be fetching
   * the partition until it revokes it; only a valid claim lets the winner keep it at once.
   */
  static Map<TopicPartition, String> partitionsTransferringOwnership(
      Map<String, Subscription> subscriptions,
      Map<String, List<TopicPartition>> validOwned,
      Map<String, List<TopicPartition>> assignment) {
    Map<TopicPartition, Set<String>> claimants = new HashMap<>();
    subscriptions.forEach(
        (m, s) ->
            s.ownedPartitions()
                .forEach(tp -> claimants.computeIfAbsent(tp, x -> new HashSet<>()).add(m)));
    Map<TopicPartition, String> transferring = new HashMap<>();
    assignment.forEach(
        (m, partitions) -> {
          Set<TopicPartition> valid = new HashSet<>(validOwned.getOrDefault(m, List.of()));
          for (TopicPartition tp : partitions) {
            Set<String> others = new HashSet<>(claimants.getOrDefault(tp, Set.of()));
            others.remove(m);
            if (!valid.contains(tp) && !others.isEmpty()) {
              transferring.put(tp, m);
            }
          }
        });
    return transferring;
  }
}
