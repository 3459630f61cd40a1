package io.brook.broker.group;

import static io.brook.broker.group.GroupCoordinatorTest.protocol;
import static io.brook.broker.group.GroupCoordinatorTest.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.OffsetCommitValue;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** GroupMetadata and GroupState as pure values: transitions, protocol choice, offset expiry. */
class GroupMetadataTest {
  static final long HOUR = 3_600_000L;

  static MemberMetadata member(String id, String instance, JoinGroupProtocol... protocols) {
    return new MemberMetadata(
        id, instance, "client", "/h", 30_000, 10_000, "consumer", List.of(protocols));
  }

  static OffsetCommitValue committed(long offset, long ts, long expire) {
    return OffsetCommitValue.newBuilder()
        .setOffset(offset)
        .setCommitTimestamp(ts)
        .setExpireTimestamp(expire)
        .build();
  }

  @Test
  void transitionsFollowKafkasTable() {
    // {from, to} pairs that are allowed; every other pair must throw.
    Map<GroupState, Set<GroupState>> allowed =
        Map.of(
            GroupState.EMPTY, EnumSet.of(GroupState.PREPARING_REBALANCE, GroupState.DEAD),
            GroupState.PREPARING_REBALANCE,
                EnumSet.of(GroupState.EMPTY, GroupState.COMPLETING_REBALANCE, GroupState.DEAD),
            GroupState.COMPLETING_REBALANCE,
                EnumSet.of(GroupState.PREPARING_REBALANCE, GroupState.STABLE, GroupState.DEAD),
            GroupState.STABLE, EnumSet.of(GroupState.PREPARING_REBALANCE, GroupState.DEAD),
            GroupState.DEAD, EnumSet.of(GroupState.DEAD));
    for (GroupState from : GroupState.values()) {
      for (GroupState to : GroupState.values()) {
        GroupMetadata g = new GroupMetadata("g", 0, from, 0);
        if (allowed.get(from).contains(to)) {
          g.transitionTo(to, 42);
          assertEquals(to, g.state);
          assertEquals(42, g.currentStateTimestamp);
        } else {
          assertThrows(IllegalStateException.class, () -> g.transitionTo(to, 42), from + "->" + to);
        }
      }
    }
  }

  @Test
  void stateNamesParseCaseInsensitively() {
    assertEquals(GroupState.COMPLETING_REBALANCE, GroupState.parse("completingrebalance"));
    assertEquals("PreparingRebalance", GroupState.PREPARING_REBALANCE.toString());
    assertNull(GroupState.parse("Rebalancing"));
  }

  @Test
  void firstMemberIsLeaderAndTheNextOneTakesOverWhenItLeaves() {
    GroupMetadata g = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    g.add(member("a", "", protocol("range", subscription("t"))));
    g.add(member("b", "i-b", protocol("range", subscription("t"))));
    assertEquals("a", g.leaderId);
    assertEquals("consumer", g.protocolType);
    assertEquals("b", g.staticMemberId("i-b"));
    g.remove("a");
    assertEquals("b", g.leaderId);
    g.remove("b");
    assertNull(g.leaderId);
    assertNull(g.staticMemberId("i-b"));
  }

  @Test
  void replacingAStaticMemberKeepsItsAssignmentAndLeadership() {
    GroupMetadata g = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    MemberMetadata a = member("a1", "i-a", protocol("range", subscription("t")));
    a.assignment = ByteString.copyFromUtf8("A");
    g.add(a);
    MemberMetadata replaced = g.replaceStaticMember("i-a", "a1", "a2");
    assertEquals("a2", g.leaderId);
    assertEquals("a2", g.staticMemberId("i-a"));
    assertFalse(g.has("a1"));
    assertEquals("A", replaced.assignment.toStringUtf8());
  }

  @Test
  void protocolSupportAndSelection() {
    GroupMetadata g = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    assertTrue(g.supportsProtocols("consumer", List.of(protocol("x", ByteString.EMPTY))));
    assertFalse(g.supportsProtocols("", List.of(protocol("x", ByteString.EMPTY))));
    assertFalse(g.supportsProtocols("consumer", List.of()));
    g.add(
        member("a", "", protocol("range", ByteString.EMPTY), protocol("sticky", ByteString.EMPTY)));
    g.transitionTo(GroupState.PREPARING_REBALANCE, 0);
    assertTrue(g.supportsProtocols("consumer", List.of(protocol("sticky", ByteString.EMPTY))));
    assertFalse(g.supportsProtocols("connect", List.of(protocol("sticky", ByteString.EMPTY))));
    assertFalse(g.supportsProtocols("consumer", List.of(protocol("other", ByteString.EMPTY))));
    g.add(
        member("b", "", protocol("sticky", ByteString.EMPTY), protocol("range", ByteString.EMPTY)));
    // One vote each: the tie goes to the first member's preference.
    assertEquals("range", g.selectProtocol());
    g.add(
        member("c", "", protocol("sticky", ByteString.EMPTY), protocol("range", ByteString.EMPTY)));
    assertEquals("sticky", g.selectProtocol());
  }

  @Test
  void subscribedTopicsAreTheUnionOfTheMembersSubscriptions() {
    GroupMetadata g = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    g.add(member("a", "", protocol("range", subscription("t1", "t2"))));
    g.add(member("b", "", protocol("range", subscription("t3"))));
    g.transitionTo(GroupState.PREPARING_REBALANCE, 0);
    g.initNextGeneration(5);
    assertEquals(GroupState.COMPLETING_REBALANCE, g.state);
    assertEquals(1, g.generationId);
    assertEquals(Set.of("t1", "t2", "t3"), g.subscribedTopics);
    assertTrue(g.isSubscribedToTopic("t3"));
    // Metadata that does not parse: unknown subscriptions.
    g.add(member("c", "", protocol("range", ByteString.copyFrom(new byte[] {(byte) 0xff}))));
    assertNull(g.computeSubscribedTopics());
  }

  @Test
  void expiredOffsetsFollowKafkasRules() {
    TopicPartition t0 = new TopicPartition("t", 0);
    TopicPartition u0 = new TopicPartition("u", 0);
    TopicPartition old = new TopicPartition("old", 0);

    // A group without protocol type: from each commit's timestamp.
    GroupMetadata simple = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    simple.onOffsetCommitAppend(t0, committed(1, 0, -1), 1);
    simple.onOffsetCommitAppend(u0, committed(1, HOUR / 2, -1), 2);
    assertEquals(List.of(t0), simple.expiredOffsets(HOUR, HOUR));

    // An Empty consumer group: from when it became Empty, whatever the commit times.
    GroupMetadata empty = new GroupMetadata("g", 0, GroupState.EMPTY, 10 * HOUR);
    empty.protocolType = "consumer";
    empty.onOffsetCommitAppend(t0, committed(1, 0, -1), 1);
    assertEquals(List.of(), empty.expiredOffsets(11 * HOUR - 1, HOUR));
    assertEquals(List.of(t0), empty.expiredOffsets(11 * HOUR, HOUR));
    // ... but never an offset with a commit still being appended.
    empty.prepareOffsetCommit(t0, 5);
    assertEquals(List.of(), empty.expiredOffsets(11 * HOUR, HOUR));
    empty.failPendingOffsetWrite(t0, 5);
    // An explicit expire timestamp (older records) wins.
    empty.onOffsetCommitAppend(old, committed(1, 0, 10 * HOUR + 1), 6);
    assertTrue(empty.expiredOffsets(10 * HOUR + 1, 100 * HOUR).contains(old));

    // A Stable consumer group: only unsubscribed topics, from their commit time.
    GroupMetadata stable = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    stable.add(member("a", "", protocol("range", subscription("t"))));
    stable.transitionTo(GroupState.PREPARING_REBALANCE, 0);
    stable.initNextGeneration(0);
    stable.transitionTo(GroupState.STABLE, 0);
    stable.onOffsetCommitAppend(t0, committed(1, 0, -1), 1);
    stable.onOffsetCommitAppend(u0, committed(1, 0, -1), 2);
    assertEquals(List.of(u0), stable.expiredOffsets(2 * HOUR, HOUR));

    // A rebalancing consumer group: nothing.
    stable.transitionTo(GroupState.PREPARING_REBALANCE, 0);
    assertEquals(List.of(), stable.expiredOffsets(2 * HOUR, HOUR));
  }

  @Test
  void aLaterAppendIsNotOverwrittenByAnEarlierOne() {
    GroupMetadata g = new GroupMetadata("g", 0, GroupState.EMPTY, 0);
    TopicPartition tp = new TopicPartition("t", 0);
    g.prepareOffsetCommit(tp, 1);
    g.prepareOffsetCommit(tp, 2);
    g.onOffsetCommitAppend(tp, committed(20, 0, -1), 2);
    assertTrue(g.pendingOffsetCommits.isEmpty(), "the latest pending commit completed");
    g.onOffsetCommitAppend(tp, committed(10, 0, -1), 1);
    assertEquals(20, g.offset(tp).getOffset());
  }
}
