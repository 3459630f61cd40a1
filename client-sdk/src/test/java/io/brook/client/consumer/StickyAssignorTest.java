package io.brook.client.consumer;

import static io.brook.client.consumer.AssignorPropertyTest.assign;
import static io.brook.client.consumer.AssignorPropertyTest.roundTrip;
import static io.brook.client.consumer.AssignorPropertyTest.tp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.client.consumer.internals.StickyAssignorUserData;
import io.brook.client.consumer.internals.StickyAssignorUserData.MemberData;
import io.brook.common.TopicPartition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The eager sticky assignor: its user data, Kafka's examples, and generation conflicts. */
class StickyAssignorTest {
  private final StickyAssignor assignor = new StickyAssignor();

  private static final List<String> FOUR_TOPICS = List.of("t0", "t1", "t2", "t3");
  private static final Map<String, Integer> TWO_PARTITIONS_EACH =
      Map.of("t0", 2, "t1", 2, "t2", 2, "t3", 2);

  /** A subscription carrying a previous assignment of {@code generation} (-1: none). */
  private static Subscription sub(
      List<String> topics, List<TopicPartition> previous, int generation) {
    return roundTrip(new Subscription(topics, StickyAssignorUserData.encode(previous, generation)));
  }

  @Test
  void nameAndProtocol() {
    assertEquals("sticky", assignor.name());
    assertEquals(List.of(RebalanceProtocol.EAGER), assignor.supportedProtocols());
  }

  @Test
  void userDataRoundTripsPartitionsAndGeneration() {
    List<TopicPartition> partitions = List.of(tp("b", 1), tp("a", 7), tp("b", 0), tp("ü", 3));
    MemberData d = StickyAssignorUserData.decode(StickyAssignorUserData.encode(partitions, 42));
    assertEquals(List.of(tp("a", 7), tp("b", 0), tp("b", 1), tp("ü", 3)), d.partitions());
    assertEquals(Optional.of(42), d.generation());
    MemberData none = StickyAssignorUserData.decode(StickyAssignorUserData.encode(List.of(), -1));
    assertEquals(MemberData.EMPTY, none);
  }

  @Test
  void userDataFieldTable() {
    ByteBuffer b = StickyAssignorUserData.encode(List.of(tp("ab", 5), tp("ab", 2)), 9);
    ByteBuffer expected =
        ByteBuffer.allocate(2 + 4 + 2 + 2 + 4 + 4 + 4 + 4)
            .putShort((short) 1) // version
            .putInt(1) // topic count
            .putShort((short) 2) // topic name length
            .put((byte) 'a')
            .put((byte) 'b')
            .putInt(2) // partition count
            .putInt(2)
            .putInt(5)
            .putInt(9) // generation
            .flip();
    assertEquals(expected, b);
  }

  @Test
  void malformedUserDataMeansNoPreviousAssignment() {
    ByteBuffer valid = StickyAssignorUserData.encode(List.of(tp("t", 0), tp("t", 1)), 3);
    for (int cut = 0; cut < valid.remaining(); cut++) {
      ByteBuffer truncated = valid.duplicate().limit(cut);
      assertEquals(MemberData.EMPTY, StickyAssignorUserData.decode(truncated), "cut at " + cut);
    }
    assertEquals(MemberData.EMPTY, StickyAssignorUserData.decode(null));
    ByteBuffer hugeCount =
        ByteBuffer.allocate(10).putShort((short) 1).putInt(1).putShort((short) -1);
    assertEquals(MemberData.EMPTY, StickyAssignorUserData.decode(hugeCount.flip()));
    ByteBuffer oldVersion = ByteBuffer.allocate(2).putShort((short) 0).flip();
    assertEquals(MemberData.EMPTY, StickyAssignorUserData.decode(oldVersion));
  }

  @Test
  void decodeDoesNotConsumeTheBuffer() {
    ByteBuffer b = StickyAssignorUserData.encode(List.of(tp("t", 0)), 1);
    int remaining = b.remaining();
    StickyAssignorUserData.decode(b);
    assertEquals(remaining, b.remaining());
  }

  @Test
  void userDataCarriesTheLastAssignmentAndItsGeneration() {
    assertNull(assignor.subscriptionUserData(Set.of("t")), "nothing before the first assignment");
    assignor.onAssignment(
        new Assignment(List.of(tp("t", 1), tp("t", 0))),
        new ConsumerGroupMetadata("g", 5, "m", Optional.empty()));
    MemberData d = StickyAssignorUserData.decode(assignor.subscriptionUserData(Set.of("t")));
    assertEquals(List.of(tp("t", 0), tp("t", 1)), d.partitions());
    assertEquals(Optional.of(5), d.generation());
    assertEquals(List.of(tp("t", 1), tp("t", 0)), assignor.lastAssignment());
  }

  @Test
  void kafkaExampleIdenticalSubscriptionsThenAMemberLeaves() {
    Map<String, Subscription> subs = new TreeMap<>();
    for (String c : List.of("C0", "C1", "C2")) {
      subs.put(c, sub(FOUR_TOPICS, List.of(), -1));
    }
    Map<String, List<TopicPartition>> first = assign(assignor, TWO_PARTITIONS_EACH, subs);
    assertEquals(
        Map.of(
            "C0", List.of(tp("t0", 0), tp("t1", 1), tp("t3", 0)),
            "C1", List.of(tp("t0", 1), tp("t2", 0), tp("t3", 1)),
            "C2", List.of(tp("t1", 0), tp("t2", 1))),
        first);

    // C1 leaves: C0 and C2 keep everything and split C1's partitions.
    Map<String, Subscription> after =
        Map.of(
            "C0", sub(FOUR_TOPICS, first.get("C0"), 1),
            "C2", sub(FOUR_TOPICS, first.get("C2"), 1));
    Map<String, List<TopicPartition>> second = assign(assignor, TWO_PARTITIONS_EACH, after);
    assertEquals(4, second.get("C0").size());
    assertEquals(4, second.get("C2").size());
    assertTrue(second.get("C0").containsAll(first.get("C0")), second.toString());
    assertTrue(second.get("C2").containsAll(first.get("C2")), second.toString());
  }

  @Test
  void kafkaExampleDifferentSubscriptionsThenAMemberLeaves() {
    Map<String, Integer> topics = Map.of("t0", 1, "t1", 2, "t2", 3);
    Map<String, List<TopicPartition>> first =
        assign(
            assignor,
            topics,
            Map.of(
                "C0", sub(List.of("t0"), List.of(), -1),
                "C1", sub(List.of("t0", "t1"), List.of(), -1),
                "C2", sub(List.of("t0", "t1", "t2"), List.of(), -1)));
    assertEquals(
        Map.of(
            "C0", List.of(tp("t0", 0)),
            "C1", List.of(tp("t1", 0), tp("t1", 1)),
            "C2", List.of(tp("t2", 0), tp("t2", 1), tp("t2", 2))),
        first);
    Map<String, List<TopicPartition>> second =
        assign(
            assignor,
            topics,
            Map.of(
                "C1", sub(List.of("t0", "t1"), first.get("C1"), 1),
                "C2", sub(List.of("t0", "t1", "t2"), first.get("C2"), 1)));
    assertEquals(
        Map.of(
            "C1", List.of(tp("t0", 0), tp("t1", 0), tp("t1", 1)),
            "C2", List.of(tp("t2", 0), tp("t2", 1), tp("t2", 2))),
        second);
  }

  @Test
  void identicalSubscriptionsIgnoreClaimsOfAnOlderGeneration() {
    // B's claims are from generation 4, A's from 5: B was fenced since, so its claims are void.
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 4),
            Map.of(
                "A", sub(List.of("t"), List.of(tp("t", 2)), 5),
                "B", sub(List.of("t"), List.of(tp("t", 0), tp("t", 1)), 4)));
    assertEquals(
        Map.of("A", List.of(tp("t", 0), tp("t", 2)), "B", List.of(tp("t", 1), tp("t", 3))), a);
  }

  @Test
  void aPartitionClaimedTwiceInTheSameGenerationBelongsToNeitherClaimant() {
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 3),
            Map.of(
                "A", sub(List.of("t"), List.of(tp("t", 0), tp("t", 1)), 3),
                "B", sub(List.of("t"), List.of(tp("t", 0)), 3),
                "C", sub(List.of("t"), List.of(), 3)));
    // t-0 is void; A keeps t-1; the unowned t-0 and t-2 fill B and C in member order.
    assertEquals(
        Map.of("A", List.of(tp("t", 1)), "B", List.of(tp("t", 0)), "C", List.of(tp("t", 2))), a);
  }

  @Test
  void differentSubscriptionsGiveEachPartitionToItsClaimantOfTheHighestGeneration() {
    Map<String, Integer> topics = Map.of("x", 2, "y", 2);
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            topics,
            Map.of(
                "A", sub(List.of("x", "y"), List.of(tp("x", 0), tp("x", 1)), 2),
                "B", sub(List.of("x"), List.of(tp("x", 1)), 3),
                "C", sub(List.of("y"), List.of(), -1)));
    // x-1: B (generation 3) wins over A (2); A keeps x-0; y goes to its least loaded subscribers.
    assertEquals(List.of(tp("x", 1)), a.get("B"));
    assertTrue(a.get("A").contains(tp("x", 0)), a.toString());
    assertEquals(4, a.values().stream().mapToInt(List::size).sum());
  }

  @Test
  void claimsOnVanishedTopicsAndPartitionsAreDropped() {
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 2),
            Map.of("A", sub(List.of("t"), List.of(tp("gone", 0), tp("t", 5), tp("t", 1)), 1)));
    assertEquals(Map.of("A", List.of(tp("t", 0), tp("t", 1))), a);
  }

  @Test
  void previousOwnerIsPreferredAmongEquallyLoadedMembers() {
    // y-0: Z owned it in generation 1; C claims it in generation 2 but no longer subscribes to y,
    // so it is unowned; B and Z are eligible and equally loaded: Z, its previous owner, gets it
    // although B sorts first.
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("y", 1, "w", 1),
            Map.of(
                "B", sub(List.of("y"), List.of(), -1),
                "Z", sub(List.of("y"), List.of(tp("y", 0)), 1),
                "C", sub(List.of("w"), List.of(tp("y", 0)), 2)));
    assertEquals(Map.of("B", List.of(), "Z", List.of(tp("y", 0)), "C", List.of(tp("w", 0))), a);
  }
}
