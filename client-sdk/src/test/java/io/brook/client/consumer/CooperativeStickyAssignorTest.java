package io.brook.client.consumer;

import static io.brook.client.consumer.AssignorPropertyTest.assign;
import static io.brook.client.consumer.AssignorPropertyTest.roundTrip;
import static io.brook.client.consumer.AssignorPropertyTest.tp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.client.consumer.internals.StickyAssignorUserData;
import io.brook.common.TopicPartition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cooperative sticky assignor: protocols, generation, and withholding moving partitions. */
class CooperativeStickyAssignorTest {
  private final CooperativeStickyAssignor assignor = new CooperativeStickyAssignor();

  private static Subscription sub(List<String> topics, List<TopicPartition> owned, int generation) {
    return roundTrip(new Subscription(topics, null, owned, generation, Optional.empty()));
  }

  private static List<TopicPartition> t(int... partitions) {
    return java.util.Arrays.stream(partitions).mapToObj(p -> tp("t", p)).toList();
  }

  @Test
  void nameAndProtocolsCooperativeFirst() {
    assertEquals("cooperative-sticky", assignor.name());
    assertEquals(
        List.of(RebalanceProtocol.COOPERATIVE, RebalanceProtocol.EAGER),
        assignor.supportedProtocols());
  }

  @Test
  void userDataCarriesTheGeneration() {
    assertEquals(
        Optional.empty(),
        StickyAssignorUserData.decodeGeneration(assignor.subscriptionUserData(Set.of("t"))));
    assignor.onAssignment(
        new Assignment(t(0)), new ConsumerGroupMetadata("g", 7, "m", Optional.empty()));
    assertEquals(
        Optional.of(7),
        StickyAssignorUserData.decodeGeneration(assignor.subscriptionUserData(Set.of("t"))));
  }

  @Test
  void aJoiningMemberGetsMovedPartitionsOnlyInTheNextRebalance() {
    Map<String, Integer> topics = Map.of("t", 4);
    // A owns everything; B joins: A gives up t-2 and t-3, which B does not get yet.
    Map<String, List<TopicPartition>> first =
        assign(
            assignor,
            topics,
            Map.of("A", sub(List.of("t"), t(0, 1, 2, 3), 1), "B", sub(List.of("t"), t(), -1)));
    assertEquals(Map.of("A", t(0, 1), "B", t()), first);
    // A revoked them and rejoined: now B gets them.
    Map<String, List<TopicPartition>> second =
        assign(
            assignor,
            topics,
            Map.of("A", sub(List.of("t"), t(0, 1), 2), "B", sub(List.of("t"), t(), 2)));
    assertEquals(Map.of("A", t(0, 1), "B", t(2, 3)), second);
  }

  @Test
  void partitionsOfALeftMemberMoveAtOnce() {
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 4),
            Map.of("A", sub(List.of("t"), t(0, 1), 3), "B", sub(List.of("t"), t(), 3)));
    // C, who owned t-2 and t-3, left: nobody owns them, B gets them now.
    assertEquals(Map.of("A", t(0, 1), "B", t(2, 3)), a);
  }

  @Test
  void aPartitionClaimedByAStaleMemberIsStillWithheldFromItsNewOwner() {
    // B's claim on t-1 is from generation 1 (invalid: A and C are at 4), yet B may still hold
    // t-1: it is withheld until B stops claiming it.
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 3),
            Map.of(
                "A", sub(List.of("t"), t(0), 4),
                "B", sub(List.of("t"), t(1), 1),
                "C", sub(List.of("t"), t(2), 4)));
    assertEquals(Map.of("A", t(0), "B", t(1), "C", t(2)), a, "B gets t-1 back: no move");
    Map<String, List<TopicPartition>> moved =
        assign(
            assignor,
            Map.of("t", 2),
            Map.of(
                "A", sub(List.of("t"), t(0), 4),
                "B", sub(List.of("t"), t(0, 1), 1),
                "C", sub(List.of("t"), t(), 4)));
    // A keeps t-0; t-1 goes to B or C; B's stale claim on t-0 revokes nothing new from A.
    assertEquals(t(0), moved.get("A"));
    assertEquals(1, moved.get("B").size() + moved.get("C").size());
  }

  @Test
  void generationFallsBackToUserDataWhenTheSubscriptionHasNone() {
    // A's subscription has no generation field but its user data says 6, higher than B's 5:
    // A's claims win (constrained path keeps only the highest generation's claims). A keeps its
    // quota of one; t-1 goes to B but B's stale claim is no ownership and A still holds t-1: it
    // is withheld until A revoked it. (Read as generation -1, A would have lost t-0 to B.)
    Subscription a =
        new Subscription(List.of("t"), StickyAssignorUserData.encodeGeneration(6), t(0, 1));
    Subscription b = sub(List.of("t"), t(0, 1), 5);
    Map<String, List<TopicPartition>> out =
        assign(assignor, Map.of("t", 2), Map.of("A", a, "B", b));
    assertEquals(Map.of("A", t(0), "B", t()), out);
  }

  @Test
  void underEagerNothingIsOwnedSoNothingIsWithheld() {
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 4),
            Map.of(
                "A",
                new Subscription(List.of("t"), ByteBuffer.allocate(4).putInt(0, 2)),
                "B",
                new Subscription(List.of("t"))));
    assertEquals(Map.of("A", t(0, 2), "B", t(1, 3)), a);
  }

  @Test
  void differentSubscriptionsWithholdToo() {
    // A owned x-0..3; B joins subscribed to x and y: balance moves x partitions to B, withheld.
    Map<String, List<TopicPartition>> first =
        assign(
            assignor,
            Map.of("x", 4, "y", 0),
            Map.of(
                "A",
                sub(List.of("x"), List.of(tp("x", 0), tp("x", 1), tp("x", 2), tp("x", 3)), 1),
                "B",
                sub(List.of("x", "y"), List.of(), -1)));
    assertEquals(List.of(tp("x", 0), tp("x", 1)), first.get("A"));
    assertEquals(List.of(), first.get("B"));
  }
}
