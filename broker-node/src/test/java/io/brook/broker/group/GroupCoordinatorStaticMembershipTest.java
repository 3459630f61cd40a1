package io.brook.broker.group;

import static io.brook.broker.group.GroupCoordinatorTest.GROUP;
import static io.brook.broker.group.GroupCoordinatorTest.REBALANCE_MS;
import static io.brook.broker.group.GroupCoordinatorTest.SESSION_MS;
import static io.brook.broker.group.GroupCoordinatorTest.done;
import static io.brook.broker.group.GroupCoordinatorTest.joinReq;
import static io.brook.broker.group.GroupCoordinatorTest.protocol;
import static io.brook.broker.group.GroupCoordinatorTest.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.broker.group.GroupCoordinatorTest.Harness;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Static membership (KIP-345): members with a group.instance.id. */
class GroupCoordinatorStaticMembershipTest {
  final Harness h = new Harness();

  /** A Stable group of static members "i-a" (the leader) and "i-b"; returns their responses. */
  List<JoinGroupResponse> stableStaticGroup() {
    CompletableFuture<JoinGroupResponse> a =
        h.join(joinReq(GROUP, "", "a").setGroupInstanceId("i-a").build());
    CompletableFuture<JoinGroupResponse> b =
        h.join(joinReq(GROUP, "", "b").setGroupInstanceId("i-b").build());
    h.scheduler.runDue();
    List<JoinGroupResponse> rs = List.of(done(a), done(b));
    assertEquals(rs.get(0).getMemberId(), rs.get(0).getLeader());
    h.completeRebalance(GROUP, rs);
    return rs;
  }

  @Test
  void staticMemberJoinsWithoutMemberIdRequired() {
    CompletableFuture<JoinGroupResponse> a =
        h.join(joinReq(GROUP, "", "a").setGroupInstanceId("i-a").build());
    h.scheduler.runDue();
    assertEquals(ErrorCode.NONE, done(a).getError());
    assertEquals("a-u1", done(a).getMemberId());
    assertEquals("i-a", done(a).getMembers(0).getGroupInstanceId());
  }

  @Test
  void restartedStaticFollowerGetsItsAssignmentBackWithoutARebalance() {
    List<JoinGroupResponse> rs = stableStaticGroup();
    String oldB = rs.get(1).getMemberId();
    int appends = h.store.appends.size();
    JoinGroupResponse rb = done(h.join(joinReq(GROUP, "", "b").setGroupInstanceId("i-b").build()));
    assertEquals(ErrorCode.NONE, rb.getError());
    String newB = rb.getMemberId();
    assertFalse(newB.equals(oldB));
    assertEquals(1, rb.getGenerationId(), "same generation: no rebalance");
    assertEquals(0, rb.getMembersCount());
    assertFalse(rb.getSkipAssignment());
    assertEquals("Stable", h.state(GROUP));
    // The new member id was stored with the group.
    assertEquals(appends + 1, h.store.appends.size());
    GroupStore.GroupRecord.GroupMetadata rec =
        (GroupStore.GroupRecord.GroupMetadata) h.store.last().records().get(0);
    assertTrue(
        rec.value().getMembersList().stream().anyMatch(m -> m.getMemberId().equals(newB)),
        rec.toString());

    SyncGroupResponse s = done(h.sync(GROUP, 1, newB, Map.of()));
    assertEquals(ErrorCode.NONE, s.getError());
    assertEquals("a-" + oldB, s.getAssignment().toStringUtf8(), "the old assignment");
    // The old instance is fenced.
    assertEquals(ErrorCode.FENCED_INSTANCE_ID, h.heartbeat(GROUP, 1, oldB, "i-b"));
    assertEquals(
        ErrorCode.FENCED_INSTANCE_ID,
        GroupCoordinatorTest.commitError(
            done(
                h.coordinator.offsetCommit(
                    io.brook.protocol.v1.OffsetCommitRequest.newBuilder()
                        .setGroupId(GROUP)
                        .setGenerationId(1)
                        .setMemberId(oldB)
                        .setGroupInstanceId("i-b")
                        .addTopics(
                            io.brook.protocol.v1.OffsetCommitTopic.newBuilder()
                                .setName("t")
                                .addPartitions(
                                    io.brook.protocol.v1.OffsetCommitPartition.newBuilder()
                                        .setCommittedOffset(1)))
                        .build()))));
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 1, newB, "i-b"));
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 1, rs.get(0).getMemberId(), "i-a"));
  }

  @Test
  void restartedStaticLeaderIsToldToSkipTheAssignment() {
    List<JoinGroupResponse> rs = stableStaticGroup();
    JoinGroupResponse ra = done(h.join(joinReq(GROUP, "", "a").setGroupInstanceId("i-a").build()));
    assertEquals(ErrorCode.NONE, ra.getError());
    assertEquals(1, ra.getGenerationId());
    assertEquals(ra.getMemberId(), ra.getLeader(), "the new id is the leader");
    assertTrue(ra.getSkipAssignment());
    assertEquals(2, ra.getMembersCount());
    assertEquals("Stable", h.state(GROUP));
    SyncGroupResponse s = done(h.sync(GROUP, 1, ra.getMemberId(), Map.of()));
    assertEquals("a-" + rs.get(0).getMemberId(), s.getAssignment().toStringUtf8());
  }

  @Test
  void staticRejoinThatChangesTheSelectedProtocolRebalances() {
    CompletableFuture<JoinGroupResponse> a =
        h.join(
            joinReq(GROUP, "", "a")
                .setGroupInstanceId("i-a")
                .clearProtocols()
                .addProtocols(protocol("roundrobin", subscription("t")))
                .addProtocols(protocol("range", subscription("t")))
                .build());
    CompletableFuture<JoinGroupResponse> b =
        h.join(joinReq(GROUP, "", "b").setGroupInstanceId("i-b").build());
    h.scheduler.runDue();
    assertEquals("range", done(a).getProtocolName());
    h.completeRebalance(GROUP, List.of(done(a), done(b)));
    // b now prefers roundrobin, which a prefers too: the selected protocol would change.
    CompletableFuture<JoinGroupResponse> rb =
        h.join(
            joinReq(GROUP, "", "b")
                .setGroupInstanceId("i-b")
                .clearProtocols()
                .addProtocols(protocol("roundrobin", subscription("t")))
                .addProtocols(protocol("range", subscription("t")))
                .build());
    assertEquals("PreparingRebalance", h.state(GROUP));
    assertFalse(rb.isDone());
    h.join(
        joinReq(GROUP, done(a).getMemberId(), "a")
            .setGroupInstanceId("i-a")
            .clearProtocols()
            .addProtocols(protocol("roundrobin", subscription("t")))
            .addProtocols(protocol("range", subscription("t")))
            .build());
    assertEquals("roundrobin", done(rb).getProtocolName());
    assertEquals(2, done(rb).getGenerationId());
  }

  @Test
  void failedStoreOfTheRejoinKeepsTheOldMemberId() {
    List<JoinGroupResponse> rs = stableStaticGroup();
    h.store.autoResult = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    JoinGroupResponse rb = done(h.join(joinReq(GROUP, "", "b").setGroupInstanceId("i-b").build()));
    assertEquals(ErrorCode.NOT_COORDINATOR, rb.getError());
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 1, rs.get(1).getMemberId(), "i-b"));
  }

  @Test
  void aNewInstanceFencesTheOldOnesWaitingJoin() {
    List<JoinGroupResponse> rs = stableStaticGroup();
    String oldA = rs.get(0).getMemberId();
    CompletableFuture<JoinGroupResponse> oldJoin =
        h.join(joinReq(GROUP, oldA, "a").setGroupInstanceId("i-a").build());
    assertEquals("PreparingRebalance", h.state(GROUP));
    CompletableFuture<JoinGroupResponse> newJoin =
        h.join(joinReq(GROUP, "", "a").setGroupInstanceId("i-a").build());
    assertEquals(ErrorCode.FENCED_INSTANCE_ID, done(oldJoin).getError());
    h.join(joinReq(GROUP, rs.get(1).getMemberId(), "b").setGroupInstanceId("i-b").build());
    JoinGroupResponse r = done(newJoin);
    assertEquals(2, r.getGenerationId());
    assertEquals(r.getMemberId(), r.getLeader());
    // The old id joining again is fenced too.
    assertEquals(
        ErrorCode.FENCED_INSTANCE_ID,
        done(h.join(joinReq(GROUP, oldA, "a").setGroupInstanceId("i-a").build())).getError());
  }

  @Test
  void staticMemberIsNotRemovedByTheRebalanceTimeoutButBySessionExpiry() {
    List<JoinGroupResponse> rs = stableStaticGroup();
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    // a rejoins with new metadata; b (static, silent) is not removed when the rebalance times out.
    CompletableFuture<JoinGroupResponse> aJoin =
        h.join(
            joinReq(GROUP, a, "a")
                .setGroupInstanceId("i-a")
                .clearProtocols()
                .addProtocols(protocol("range", subscription("t", "u")))
                .build());
    // b's session (10 s) runs out before the rebalance timeout (30 s): removed, then a completes.
    h.scheduler.advance(SESSION_MS);
    JoinGroupResponse ra = done(aJoin);
    assertEquals(1, ra.getMembersCount());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 2, b, ""));
    assertTrue(h.coordinator.isCoordinatorFor(GROUP));
  }

  @Test
  void staticMemberOutlivesARebalanceTimeoutShorterThanItsSession() {
    Harness lh = new Harness();
    CompletableFuture<JoinGroupResponse> a =
        lh.join(
            joinReq(GROUP, "", "a").setGroupInstanceId("i-a").setRebalanceTimeoutMs(2000).build());
    CompletableFuture<JoinGroupResponse> b =
        lh.join(
            joinReq(GROUP, "", "b").setGroupInstanceId("i-b").setRebalanceTimeoutMs(2000).build());
    lh.scheduler.runDue();
    lh.completeRebalance(GROUP, List.of(done(a), done(b)));
    String aId = done(a).getMemberId();
    String bId = done(b).getMemberId();
    CompletableFuture<JoinGroupResponse> aJoin =
        lh.join(
            joinReq(GROUP, aId, "a")
                .setGroupInstanceId("i-a")
                .setRebalanceTimeoutMs(2000)
                .clearProtocols()
                .addProtocols(protocol("range", subscription("t", "u")))
                .build());
    lh.scheduler.advance(2000);
    // The rebalance timed out: b stays a member (static), the generation completes with both.
    JoinGroupResponse ra = done(aJoin);
    assertEquals(2, ra.getMembersCount());
    assertEquals(2, ra.getGenerationId());
    assertEquals(ErrorCode.NONE, lh.heartbeat(GROUP, 2, bId, "i-b"));
  }

  @Test
  void adminLeaveByInstanceIdRemovesTheStaticMember() {
    List<JoinGroupResponse> rs = stableStaticGroup();
    var r = h.leave(GROUP, "", "i-b");
    assertEquals(ErrorCode.NONE, r.getMembers(0).getError());
    assertEquals("PreparingRebalance", h.state(GROUP));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat(GROUP, 1, rs.get(1).getMemberId(), ""));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.leave(GROUP, "", "i-zzz").getMembers(0).getError());
    // A member id that does not match the instance is fenced.
    assertEquals(
        ErrorCode.FENCED_INSTANCE_ID, h.leave(GROUP, "wrong", "i-a").getMembers(0).getError());
  }

  @Test
  void staticFollowerSyncAfterRejoinDuringCompletingRebalanceRebalancesAgain() {
    CompletableFuture<JoinGroupResponse> a =
        h.join(joinReq(GROUP, "", "a").setGroupInstanceId("i-a").build());
    CompletableFuture<JoinGroupResponse> b =
        h.join(joinReq(GROUP, "", "b").setGroupInstanceId("i-b").build());
    h.scheduler.runDue();
    String bId = done(b).getMemberId();
    assertEquals(done(a).getMemberId(), done(a).getLeader());
    assertEquals("CompletingRebalance", h.state(GROUP));
    CompletableFuture<SyncGroupResponse> bSync = h.sync(GROUP, 1, bId, Map.of());
    assertFalse(bSync.isDone());
    // The leader restarts before it synced: its old id may be in an assignment being computed,
    // so the group rebalances; the waiting follower is told to rejoin.
    CompletableFuture<JoinGroupResponse> newA =
        h.join(joinReq(GROUP, "", "a").setGroupInstanceId("i-a").build());
    assertEquals("PreparingRebalance", h.state(GROUP));
    assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, done(bSync).getError());
    assertEquals(ByteString.EMPTY, done(bSync).getAssignment());
    h.join(joinReq(GROUP, bId, "b").setGroupInstanceId("i-b").build());
    assertEquals(2, done(newA).getGenerationId());
    assertEquals(done(newA).getMemberId(), done(newA).getLeader());
  }

  @Test
  void rebalanceTimeoutConstantIsLongerThanSession() {
    // The tests above rely on it.
    assertTrue(REBALANCE_MS > SESSION_MS);
  }
}
