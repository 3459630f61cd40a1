package io.brook.broker.group;

import static io.brook.broker.group.GroupCoordinatorTest.GROUP;
import static io.brook.broker.group.GroupCoordinatorTest.commitError;
import static io.brook.broker.group.GroupCoordinatorTest.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.group.GroupCoordinatorTest.Harness;
import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetCommitValue;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetFetchPartitionResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopic;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Offset commits, fetches, deletion and retention. */
class GroupCoordinatorOffsetsTest {
  /** offsets.retention.minutes of these tests: one hour. */
  static final long RETENTION_MS = 3600L * 1000;

  final Harness h = new Harness();

  /** The partitions tombstoned (offset commits with a null value) by all appends so far. */
  Set<TopicPartition> offsetTombstones() {
    return h.store.allRecords().stream()
        .filter(r -> r instanceof GroupRecord.OffsetCommit oc && oc.value() == null)
        .map(r -> ((GroupRecord.OffsetCommit) r).partition())
        .collect(Collectors.toSet());
  }

  boolean groupTombstoned(String group) {
    return h.store.allRecords().stream()
        .anyMatch(
            r ->
                r instanceof GroupRecord.GroupMetadata gm
                    && gm.groupId().equals(group)
                    && gm.value() == null);
  }

  @Test
  void memberCommitBecomesVisibleOnlyOnceAppended() {
    JoinGroupResponse a = h.stableGroup(GROUP, "a").get(0);
    h.store.autoComplete = false;
    CompletableFuture<OffsetCommitResponse> c = h.commit(GROUP, 1, a.getMemberId(), "t", 0, 42);
    assertFalse(c.isDone(), "the response waits for the append");
    assertEquals(-1, h.fetch(GROUP, "t", 0), "a pending commit is not visible");
    GroupStore.GroupRecord rec = h.store.last().records().get(0);
    OffsetCommitValue v = ((GroupRecord.OffsetCommit) rec).value();
    assertEquals(42, v.getOffset());
    assertEquals(3, v.getLeaderEpoch());
    assertEquals("m", v.getMetadata());
    assertEquals(h.time.milliseconds(), v.getCommitTimestamp());
    assertEquals(-1, v.getExpireTimestamp());
    h.store.last().result().complete(ErrorCode.NONE);
    assertEquals(ErrorCode.NONE, commitError(done(c)));
    assertEquals(42, h.fetch(GROUP, "t", 0));
    OffsetFetchPartitionResponse p =
        done(h.coordinator.offsetFetch(
                OffsetFetchRequest.newBuilder()
                    .setGroupId(GROUP)
                    .addTopics(OffsetFetchTopic.newBuilder().setName("t").addPartitions(0))
                    .build()))
            .getTopics(0)
            .getPartitions(0);
    assertEquals(3, p.getCommittedLeaderEpoch());
    assertEquals("m", p.getMetadata());
  }

  @Test
  void failedAppendIsNeverVisibleAndItsErrorIsMapped() {
    JoinGroupResponse a = h.stableGroup(GROUP, "a").get(0);
    h.store.autoComplete = false;
    CompletableFuture<OffsetCommitResponse> c1 = h.commit(GROUP, 1, a.getMemberId(), "t", 0, 5);
    h.store.last().result().complete(ErrorCode.NOT_ENOUGH_REPLICAS);
    assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, commitError(done(c1)));
    CompletableFuture<OffsetCommitResponse> c2 = h.commit(GROUP, 1, a.getMemberId(), "t", 0, 6);
    h.store.last().result().complete(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assertEquals(ErrorCode.NOT_COORDINATOR, commitError(done(c2)));
    CompletableFuture<OffsetCommitResponse> c3 = h.commit(GROUP, 1, a.getMemberId(), "t", 0, 7);
    h.store.last().result().complete(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, commitError(done(c3)));
    assertEquals(-1, h.fetch(GROUP, "t", 0));
  }

  @Test
  void commitNotAppendedWithinTheCommitTimeoutTimesOutAndStaysInvisible() {
    JoinGroupResponse a = h.stableGroup(GROUP, "a").get(0);
    h.store.autoComplete = false;
    CompletableFuture<OffsetCommitResponse> c = h.commit(GROUP, 1, a.getMemberId(), "t", 0, 5);
    h.scheduler.advance(4999);
    assertFalse(c.isDone());
    h.scheduler.advance(1);
    assertEquals(ErrorCode.REQUEST_TIMED_OUT, commitError(done(c)));
    h.store.last().result().complete(ErrorCode.NONE);
    assertEquals(-1, h.fetch(GROUP, "t", 0));
  }

  @Test
  void theLatestAppendedCommitWinsWhateverOrderAppendsComplete() {
    h.store.autoComplete = false;
    CompletableFuture<OffsetCommitResponse> first = h.commit(GROUP, -1, "", "t", 0, 10);
    GroupCoordinatorTest.FakeStore.Append a1 = h.store.last();
    CompletableFuture<OffsetCommitResponse> second = h.commit(GROUP, -1, "", "t", 0, 20);
    GroupCoordinatorTest.FakeStore.Append a2 = h.store.last();
    a2.result().complete(ErrorCode.NONE);
    a1.result().complete(ErrorCode.NONE);
    assertEquals(ErrorCode.NONE, commitError(done(first)));
    assertEquals(ErrorCode.NONE, commitError(done(second)));
    assertEquals(20, h.fetch(GROUP, "t", 0));
  }

  @Test
  void commitFromOutsideTheMembershipCreatesAnEmptyGroupAndIsRefusedOnceItHasMembers() {
    assertEquals(ErrorCode.NONE, commitError(done(h.commit(GROUP, -1, "", "t", 0, 5))));
    assertEquals(5, h.fetch(GROUP, "t", 0));
    assertEquals("Empty", h.state(GROUP));
    assertEquals("", h.describe(GROUP).getProtocolType());
    // The group is then used with group management.
    JoinGroupResponse a = h.stableGroup(GROUP, "a").get(0);
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID, commitError(done(h.commit(GROUP, -1, "", "t", 0, 6))));
    assertEquals(5, h.fetch(GROUP, "t", 0));
    assertEquals(ErrorCode.NONE, commitError(done(h.commit(GROUP, 1, a.getMemberId(), "t", 0, 7))));
    assertEquals(7, h.fetch(GROUP, "t", 0));
    // Every member gone: commits from outside are accepted again.
    h.leave(GROUP, a.getMemberId(), "");
    assertEquals("Empty", h.state(GROUP));
    assertEquals(ErrorCode.NONE, commitError(done(h.commit(GROUP, -1, "", "t", 0, 8))));
    assertEquals(8, h.fetch(GROUP, "t", 0));
  }

  @Test
  void commitWithAGenerationToAnUnknownGroupIsAnIllegalGeneration() {
    assertEquals(
        ErrorCode.ILLEGAL_GENERATION, commitError(done(h.commit(GROUP, 3, "m", "t", 0, 5))));
    assertEquals("Dead", h.state(GROUP));
  }

  @Test
  void commitWhileCompletingRebalanceIsRebalanceInProgressButAllowedWhilePreparing() {
    CompletableFuture<JoinGroupResponse> aj = h.joinDynamic(GROUP, "a");
    CompletableFuture<JoinGroupResponse> bj = h.joinDynamic(GROUP, "b");
    h.scheduler.runDue();
    String a = done(aj).getMemberId();
    assertEquals("CompletingRebalance", h.state(GROUP));
    assertEquals(
        ErrorCode.REBALANCE_IN_PROGRESS, commitError(done(h.commit(GROUP, 1, a, "t", 0, 5))));
    h.completeRebalance(GROUP, List.of(done(aj), done(bj)));
    h.joinDynamic(GROUP, "c");
    assertEquals("PreparingRebalance", h.state(GROUP));
    // The generation is still 1 while preparing: its members may commit what they consumed.
    assertEquals(ErrorCode.NONE, commitError(done(h.commit(GROUP, 1, a, "t", 0, 5))));
  }

  @Test
  void tooLongMetadataFailsOnlyItsPartition() {
    OffsetCommitResponse r =
        done(
            h.coordinator.offsetCommit(
                OffsetCommitRequest.newBuilder()
                    .setGroupId(GROUP)
                    .setGenerationId(-1)
                    .addTopics(
                        OffsetCommitTopic.newBuilder()
                            .setName("t")
                            .addPartitions(
                                OffsetCommitPartition.newBuilder()
                                    .setPartition(0)
                                    .setCommittedOffset(1)
                                    .setCommittedMetadata("x".repeat(21)))
                            .addPartitions(
                                OffsetCommitPartition.newBuilder()
                                    .setPartition(1)
                                    .setCommittedOffset(2)
                                    .setCommittedMetadata("x".repeat(20))))
                    .build()));
    assertEquals(ErrorCode.OFFSET_METADATA_TOO_LARGE, r.getTopics(0).getPartitions(0).getError());
    assertEquals(ErrorCode.NONE, r.getTopics(0).getPartitions(1).getError());
    assertEquals(-1, h.fetch(GROUP, "t", 0));
    assertEquals(2, h.fetch(GROUP, "t", 1));
  }

  @Test
  void fetchOfAllTopicsReturnsEveryCommittedPartition() {
    done(h.commit(GROUP, -1, "", "b", 1, 11));
    done(h.commit(GROUP, -1, "", "a", 0, 10));
    done(h.commit(GROUP, -1, "", "b", 0, 12));
    OffsetFetchResponse r =
        done(
            h.coordinator.offsetFetch(
                OffsetFetchRequest.newBuilder().setGroupId(GROUP).setAllTopics(true).build()));
    assertEquals(
        List.of("a-0=10", "b-0=12", "b-1=11"),
        r.getTopicsList().stream()
            .flatMap(
                t ->
                    t.getPartitionsList().stream()
                        .map(
                            p ->
                                t.getName()
                                    + "-"
                                    + p.getPartition()
                                    + "="
                                    + p.getCommittedOffset()))
            .toList());
    OffsetFetchResponse none =
        done(
            h.coordinator.offsetFetch(
                OffsetFetchRequest.newBuilder().setGroupId("unknown").setAllTopics(true).build()));
    assertEquals(ErrorCode.NONE, none.getError());
    assertEquals(0, none.getTopicsCount());
    assertEquals(-1, h.fetch("unknown", "a", 0));
  }

  @Test
  void deleteGroupsTombstonesAnEmptyGroupAndItsOffsets() {
    done(h.commit(GROUP, -1, "", "t", 0, 1));
    done(h.commit(GROUP, -1, "", "t", 1, 2));
    h.stableGroup("busy", "a");
    DeleteGroupsResponse r =
        done(
            h.coordinator.deleteGroups(
                DeleteGroupsRequest.newBuilder()
                    .addGroupsNames(GROUP)
                    .addGroupsNames("busy")
                    .addGroupsNames("never")
                    .build()));
    assertEquals(ErrorCode.NONE, r.getResults(0).getError());
    assertEquals(ErrorCode.NON_EMPTY_GROUP, r.getResults(1).getError());
    assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, r.getResults(2).getError());
    assertEquals(
        Set.of(new TopicPartition("t", 0), new TopicPartition("t", 1)), offsetTombstones());
    assertTrue(groupTombstoned(GROUP));
    assertEquals(-1, h.fetch(GROUP, "t", 0));
    assertEquals("Dead", h.state(GROUP));
    assertEquals(
        ErrorCode.GROUP_ID_NOT_FOUND,
        done(h.coordinator.deleteGroups(
                DeleteGroupsRequest.newBuilder().addGroupsNames(GROUP).build()))
            .getResults(0)
            .getError());
  }

  @Test
  void deleteGroupsWaitsForTheTombstonesAndReportsTheirFailure() {
    done(h.commit(GROUP, -1, "", "t", 0, 1));
    h.store.autoComplete = false;
    CompletableFuture<DeleteGroupsResponse> r =
        h.coordinator.deleteGroups(DeleteGroupsRequest.newBuilder().addGroupsNames(GROUP).build());
    assertFalse(r.isDone());
    h.store.last().result().complete(ErrorCode.NOT_ENOUGH_REPLICAS);
    assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, done(r).getResults(0).getError());
  }

  @Test
  void offsetsOfAnEmptyGroupExpireRetentionAfterItBecameEmpty() {
    Harness r = new Harness(new GroupConfig(1000, 60_000, 0, 100, RETENTION_MS, 60_000L, 20, 5000));
    JoinGroupResponse a = r.stableGroup(GROUP, "a").get(0);
    done(r.commit(GROUP, 1, a.getMemberId(), "t", 0, 5));
    // The group keeps its member (heartbeating) for two retention periods: nothing expires.
    for (int i = 0; i < 2 * 720; i++) {
      r.scheduler.advance(5000);
      assertEquals(ErrorCode.NONE, r.heartbeat(GROUP, 1, a.getMemberId()));
    }
    assertEquals(5, r.fetch(GROUP, "t", 0));
    r.leave(GROUP, a.getMemberId(), "");
    assertEquals("Empty", r.state(GROUP));
    r.scheduler.advance(RETENTION_MS - 60_000);
    assertEquals(5, r.fetch(GROUP, "t", 0), "retention counts from when the group became Empty");
    r.scheduler.advance(60_000);
    assertEquals(-1, r.fetch(GROUP, "t", 0));
    assertEquals("Dead", r.state(GROUP));
    List<GroupRecord> last = r.store.last().records();
    assertEquals(2, last.size());
    assertNull(((GroupRecord.OffsetCommit) last.get(0)).value());
    assertNull(((GroupRecord.GroupMetadata) last.get(1)).value());
  }

  @Test
  void aStableConsumerGroupLosesOnlyOffsetsOfTopicsItDoesNotSubscribeTo() {
    Harness r = new Harness(new GroupConfig(1000, 60_000, 0, 100, RETENTION_MS, 60_000L, 20, 5000));
    JoinGroupResponse a = r.stableGroup(GROUP, "a").get(0); // subscribes to "t"
    done(r.commit(GROUP, 1, a.getMemberId(), "t", 0, 5));
    done(r.commit(GROUP, 1, a.getMemberId(), "old", 0, 6));
    for (int i = 0; i < 2 * 720; i++) {
      r.scheduler.advance(5000);
      assertEquals(ErrorCode.NONE, r.heartbeat(GROUP, 1, a.getMemberId()));
    }
    assertEquals(5, r.fetch(GROUP, "t", 0));
    assertEquals(-1, r.fetch(GROUP, "old", 0));
    assertEquals("Stable", r.state(GROUP));
  }

  @Test
  void offsetsOfAGroupWithoutProtocolExpireFromTheirCommitTime() {
    Harness r = new Harness(new GroupConfig(1000, 60_000, 0, 100, RETENTION_MS, 60_000L, 20, 5000));
    done(r.commit(GROUP, -1, "", "t", 0, 5));
    r.scheduler.advance(RETENTION_MS / 2);
    done(r.commit(GROUP, -1, "", "t", 1, 6));
    r.scheduler.advance(RETENTION_MS / 2);
    assertEquals(-1, r.fetch(GROUP, "t", 0));
    assertEquals(6, r.fetch(GROUP, "t", 1));
    assertEquals("Empty", r.state(GROUP));
    r.scheduler.advance(RETENTION_MS / 2);
    assertEquals("Dead", r.state(GROUP));
  }

  @Test
  void offsetDeleteRefusesTopicsTheGroupSubscribesTo() {
    JoinGroupResponse a = h.stableGroup(GROUP, "a").get(0); // subscribes to "t"
    done(h.commit(GROUP, 1, a.getMemberId(), "t", 0, 5));
    done(h.commit(GROUP, 1, a.getMemberId(), "u", 0, 6));
    OffsetDeleteResponse r =
        done(
            h.coordinator.offsetDelete(
                OffsetDeleteRequest.newBuilder()
                    .setGroupId(GROUP)
                    .addTopics(OffsetFetchTopic.newBuilder().setName("t").addPartitions(0))
                    .addTopics(OffsetFetchTopic.newBuilder().setName("u").addPartitions(0))
                    .build()));
    assertEquals(ErrorCode.NONE, r.getError());
    assertEquals(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, r.getTopics(0).getPartitions(0).getError());
    assertEquals(ErrorCode.NONE, r.getTopics(1).getPartitions(0).getError());
    assertEquals(5, h.fetch(GROUP, "t", 0));
    assertEquals(-1, h.fetch(GROUP, "u", 0));
    assertEquals(Set.of(new TopicPartition("u", 0)), offsetTombstones());
    assertEquals(
        ErrorCode.GROUP_ID_NOT_FOUND,
        done(h.coordinator.offsetDelete(
                OffsetDeleteRequest.newBuilder().setGroupId("nope").build()))
            .getError());
  }

  @Test
  void offsetDeleteOfAnEmptyGroupsLastOffsetDeletesTheGroup() {
    done(h.commit(GROUP, -1, "", "t", 0, 5));
    OffsetDeleteResponse r =
        done(
            h.coordinator.offsetDelete(
                OffsetDeleteRequest.newBuilder()
                    .setGroupId(GROUP)
                    .addTopics(OffsetFetchTopic.newBuilder().setName("t").addPartitions(0))
                    .build()));
    assertEquals(ErrorCode.NONE, r.getTopics(0).getPartitions(0).getError());
    assertEquals("Dead", h.state(GROUP));
    assertTrue(groupTombstoned(GROUP));
  }

  @Test
  void deletedTopicsLoseTheirCommittedOffsets() {
    done(h.commit("g2", -1, "", "gone", 0, 5));
    done(h.commit("g2", -1, "", "t", 0, 6));
    h.coordinator.onPartitionsDeleted(List.of(new TopicPartition("gone", 0)));
    assertEquals(-1, h.fetch("g2", "gone", 0));
    assertEquals(6, h.fetch("g2", "t", 0));
    assertEquals(Set.of(new TopicPartition("gone", 0)), offsetTombstones());
  }
}
