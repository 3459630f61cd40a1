package io.brook.broker.group;

import static io.brook.broker.group.GroupCoordinatorTest.GROUP;
import static io.brook.broker.group.GroupCoordinatorTest.commitError;
import static io.brook.broker.group.GroupCoordinatorTest.done;
import static io.brook.broker.group.GroupCoordinatorTest.joinReq;
import static io.brook.broker.group.GroupCoordinatorTest.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.broker.group.GroupCoordinatorTest.Harness;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.DescribedGroup;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.MemberMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Ownership of __consumer_offsets partitions: election, loading, resignation and shutdown. */
class GroupCoordinatorLoadingTest {
  final Harness h = new Harness();
  final int p = h.store.partitionFor(GROUP);

  static MemberMetadataValue member(String id, String instance, String assignment) {
    return MemberMetadataValue.newBuilder()
        .setMemberId(id)
        .setGroupInstanceId(instance)
        .setClientId("client-" + id)
        .setClientHost("/10.0.0.1")
        .setRebalanceTimeoutMs(30_000)
        .setSessionTimeoutMs(10_000)
        .setSubscription(subscription("t"))
        .setAssignment(ByteString.copyFromUtf8(assignment))
        .build();
  }

  static GroupStore.LoadedPartition loaded(
      int partition, GroupMetadataValue group, Map<TopicPartition, OffsetCommitValue> offsets) {
    return new GroupStore.LoadedPartition(partition, Map.of(GROUP, group), Map.of(GROUP, offsets));
  }

  static GroupMetadataValue stableValue() {
    return GroupMetadataValue.newBuilder()
        .setProtocolType("consumer")
        .setGeneration(5)
        .setProtocol("range")
        .setLeader("m1")
        .setCurrentStateTimestamp(1)
        .addMembers(member("m1", "", "A"))
        .addMembers(member("m2", "i-2", "B"))
        .build();
  }

  static OffsetCommitValue offset(long o, long commitTs) {
    return OffsetCommitValue.newBuilder()
        .setOffset(o)
        .setLeaderEpoch(2)
        .setMetadata("md")
        .setCommitTimestamp(commitTs)
        .setExpireTimestamp(-1)
        .build();
  }

  @Test
  void whileLoadingGroupsAnswerLoadInProgress() {
    h.coordinator.onElection(p, 1);
    assertTrue(h.coordinator.isCoordinatorFor(GROUP));
    assertEquals(
        ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        done(h.join(joinReq(GROUP, "", "a").build())).getError());
    assertEquals(
        ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        done(h.coordinator.offsetFetch(
                OffsetFetchRequest.newBuilder().setGroupId(GROUP).setAllTopics(true).build()))
            .getError());
    assertEquals(
        ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        commitError(done(h.commit(GROUP, -1, "", "t", 0, 1))));
    assertEquals(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, h.describe(GROUP).getError());
    assertEquals(
        ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        h.coordinator.listGroups(ListGroupsRequest.getDefaultInstance()).getError());
    // As Kafka: heartbeats are answered blindly, a SyncGroup is told to rejoin.
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 5, "m1"));
    assertEquals(
        ErrorCode.REBALANCE_IN_PROGRESS, done(h.sync(GROUP, 5, "m1", Map.of())).getError());
  }

  @Test
  void loadedGroupWithMembersIsStableAndItsMembersKeepTheirAssignments() {
    h.coordinator.onElection(p, 1);
    h.coordinator.onLoaded(
        p, 1, loaded(p, stableValue(), Map.of(new TopicPartition("t", 0), offset(77, 1))));
    DescribedGroup d = h.describe(GROUP);
    assertEquals("Stable", d.getGroupState());
    assertEquals(5, d.getGenerationId());
    assertEquals("range", d.getProtocolData());
    assertEquals(2, d.getMembersCount());
    assertEquals("i-2", d.getMembers(1).getGroupInstanceId());
    assertEquals("/10.0.0.1", d.getMembers(0).getClientHost());
    assertEquals(77, h.fetch(GROUP, "t", 0));

    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 5, "m1"));
    SyncGroupResponse s = done(h.sync(GROUP, 5, "m2", Map.of()));
    assertEquals("B", s.getAssignment().toStringUtf8());
    assertEquals(ErrorCode.FENCED_INSTANCE_ID, h.heartbeat(GROUP, 5, "other", "i-2"));
    // The leader rejoins: a rebalance with generation 6, the leader gets both members.
    CompletableFuture<JoinGroupResponse> j = h.join(joinReq(GROUP, "m1", "client-m1").build());
    h.join(joinReq(GROUP, "m2", "client-m2").setGroupInstanceId("i-2").build());
    assertEquals(6, done(j).getGenerationId());
    assertEquals(2, done(j).getMembersCount());
  }

  @Test
  void loadedMembersGetAFreshSessionAndExpireIfSilent() {
    h.coordinator.onElection(p, 1);
    h.time.advance(60_000); // time spent loading does not count against the members
    h.coordinator.onLoaded(p, 1, loaded(p, stableValue(), Map.of()));
    h.scheduler.advance(9_999);
    assertEquals("Stable", h.state(GROUP));
    assertEquals(ErrorCode.NONE, h.heartbeat(GROUP, 5, "m1"));
    h.scheduler.advance(1);
    // m2 expired: the group rebalances; m1 is the only one left.
    assertEquals("PreparingRebalance", h.state(GROUP));
    JoinGroupResponse r = done(h.join(joinReq(GROUP, "m1", "client-m1").build()));
    assertEquals(6, r.getGenerationId());
    assertEquals(1, r.getMembersCount());
  }

  @Test
  void loadedEmptyGroupExpiresRetentionAfterTheStoredStateTimestamp() {
    Harness r = new Harness(new GroupConfig(1000, 60_000, 0, 100, 3_600_000L, 60_000L, 20, 5000));
    long now = r.time.milliseconds();
    GroupMetadataValue empty =
        GroupMetadataValue.newBuilder()
            .setProtocolType("consumer")
            .setGeneration(9)
            .setCurrentStateTimestamp(now - 3_600_000L + 120_000)
            .build();
    r.coordinator.onElection(p, 1);
    r.coordinator.onLoaded(
        p, 1, loaded(p, empty, Map.of(new TopicPartition("t", 0), offset(3, now))));
    assertEquals("Empty", r.state(GROUP));
    assertEquals(9, r.describe(GROUP).getGenerationId());
    r.scheduler.advance(60_000);
    assertEquals(3, r.fetch(GROUP, "t", 0));
    r.scheduler.advance(60_000);
    assertEquals(-1, r.fetch(GROUP, "t", 0));
    assertEquals("Dead", r.state(GROUP));
  }

  @Test
  void offsetsWithoutGroupMetadataMakeAnEmptyGroup() {
    h.coordinator.onElection(p, 1);
    h.coordinator.onLoaded(
        p,
        1,
        new GroupStore.LoadedPartition(
            p, Map.of(), Map.of(GROUP, Map.of(new TopicPartition("t", 1), offset(8, 1)))));
    assertEquals("Empty", h.state(GROUP));
    assertEquals(8, h.fetch(GROUP, "t", 1));
  }

  @Test
  void loadOfAnOlderEpochOrAfterResignationIsIgnored() {
    h.coordinator.onElection(p, 2);
    h.coordinator.onLoaded(p, 1, loaded(p, stableValue(), Map.of()));
    assertEquals(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, h.describe(GROUP).getError());
    h.coordinator.onResignation(p, 3);
    h.coordinator.onLoaded(p, 2, loaded(p, stableValue(), Map.of()));
    assertEquals(ErrorCode.NOT_COORDINATOR, h.describe(GROUP).getError());
    // An election of an older epoch than the current one is ignored too.
    h.coordinator.onElection(p, 5);
    h.coordinator.onElection(p, 4);
    h.coordinator.onLoaded(p, 4, loaded(p, stableValue(), Map.of()));
    assertEquals(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, h.describe(GROUP).getError());
    h.coordinator.onLoaded(p, 5, loaded(p, stableValue(), Map.of()));
    assertEquals("Stable", h.state(GROUP));
  }

  @Test
  void resignationAnswersWaitingRequestsNotCoordinatorAndDropsTheGroups() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    String a = rs.get(0).getMemberId();
    String b = rs.get(1).getMemberId();
    done(h.commit(GROUP, 1, a, "t", 0, 4));
    CompletableFuture<JoinGroupResponse> aJoin = h.join(joinReq(GROUP, a, "a").build());
    assertFalse(aJoin.isDone());
    h.coordinator.onResignation(p, 1);
    assertEquals(ErrorCode.NOT_COORDINATOR, done(aJoin).getError());
    assertFalse(h.coordinator.isCoordinatorFor(GROUP));
    assertEquals(ErrorCode.NOT_COORDINATOR, h.heartbeat(GROUP, 1, b));
    // Becoming coordinator again starts from what was loaded (here: nothing).
    h.coordinator.onElection(p, 2);
    h.coordinator.onLoaded(p, 2, new GroupStore.LoadedPartition(p, Map.of(), Map.of()));
    assertEquals("Dead", h.state(GROUP));
  }

  @Test
  void resignationAnswersAWaitingSync() {
    CompletableFuture<JoinGroupResponse> aj = h.joinDynamic(GROUP, "a");
    CompletableFuture<JoinGroupResponse> bj = h.joinDynamic(GROUP, "b");
    h.scheduler.runDue();
    CompletableFuture<SyncGroupResponse> bs = h.sync(GROUP, 1, done(bj).getMemberId(), Map.of());
    assertFalse(bs.isDone());
    h.coordinator.onResignation(p, 1);
    assertEquals(ErrorCode.NOT_COORDINATOR, done(bs).getError());
    assertEquals(ErrorCode.NONE, done(aj).getError());
  }

  @Test
  void staleResignationIsIgnored() {
    h.coordinator.onElection(p, 3);
    h.coordinator.onLoaded(p, 3, loaded(p, stableValue(), Map.of()));
    h.coordinator.onResignation(p, 2);
    assertTrue(h.coordinator.isCoordinatorFor(GROUP));
    assertEquals("Stable", h.state(GROUP));
  }

  @Test
  void reElectionDropsTheGroupsAndReloads() {
    h.stableGroup(GROUP, "a");
    h.coordinator.onElection(p, 7);
    assertEquals(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, h.describe(GROUP).getError());
    h.coordinator.onLoaded(p, 7, loaded(p, stableValue(), Map.of()));
    assertEquals(5, h.describe(GROUP).getGenerationId());
  }

  @Test
  void closeAnswersWaitingJoinsAndThenEverythingIsUnavailable() {
    List<JoinGroupResponse> rs = h.stableGroup(GROUP, "a", "b");
    CompletableFuture<JoinGroupResponse> aJoin =
        h.join(joinReq(GROUP, rs.get(0).getMemberId(), "a").build());
    h.coordinator.close();
    assertEquals(ErrorCode.NOT_COORDINATOR, done(aJoin).getError());
    assertEquals(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
        done(h.join(joinReq(GROUP, "", "a").build())).getError());
    assertFalse(h.coordinator.isCoordinatorFor(GROUP));
    h.coordinator.close(); // idempotent
    assertThrows(IllegalStateException.class, h.coordinator::startup);
  }

  @Test
  void beforeStartupEverythingIsUnavailable() {
    GroupCoordinator c =
        new GroupCoordinator(GroupCoordinatorTest.CONFIG, h.store, h.time, h.scheduler);
    c.onElection(p, 0);
    c.onLoaded(p, 0, new GroupStore.LoadedPartition(p, Map.of(), Map.of()));
    assertEquals(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
        done(c.joinGroup(joinReq(GROUP, "", "a").build(), "/h")).getError());
  }
}
