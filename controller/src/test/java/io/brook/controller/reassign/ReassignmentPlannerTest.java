package io.brook.controller.reassign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.TopicPartition;
import io.brook.controller.reassign.ReassignmentPlanner.Move;
import io.brook.controller.reassign.ReassignmentPlanner.PartitionRequest;
import io.brook.controller.reassign.ReassignmentPlanner.Refusal;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.protocol.v1.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReassignmentPlannerTest {
  private static final UUID ID = new UUID(1, 2);
  private static final Set<Integer> LIVE = Set.of(1, 2, 3, 4);

  private static TopicAssignment topic(List<Integer> p0, List<Integer> p1) {
    TreeMap<Integer, List<Integer>> r = new TreeMap<>();
    r.put(0, p0);
    r.put(1, p1);
    return new TopicAssignment("t", ID, r);
  }

  private static final Map<String, TopicAssignment> TOPICS =
      Map.of("t", topic(List.of(1, 2, 3), List.of(2, 3, 1)));

  private static PartitionRequest move(int p, Integer... replicas) {
    return new PartitionRequest(new TopicPartition("t", p), List.of(replicas), false);
  }

  private static PartitionRequest cancel(String t, int p) {
    return new PartitionRequest(new TopicPartition(t, p), List.of(), true);
  }

  private static LeaderAndIsr state(int leader, int leaderEpoch, List<Integer> isr) {
    return new LeaderAndIsr(leader, leaderEpoch, isr, 1, 7);
  }

  @Test
  void validPlanHasNoRefusals() {
    assertTrue(
        ReassignmentPlanner.validate(
                List.of(move(0, 2, 3, 4), move(1, 4, 3)), TOPICS, Set.of(), LIVE)
            .isEmpty());
  }

  @Test
  void everyBadPartitionIsNamed() {
    Map<TopicPartition, Refusal> r =
        ReassignmentPlanner.validate(
            List.of(
                move(0, 2, 3, 5),
                move(1, 2, 2, 3),
                move(7, 1),
                new PartitionRequest(new TopicPartition("nope", 0), List.of(1), false),
                cancel("t", 0)),
            TOPICS,
            Set.of(),
            Set.of(1, 2, 3));
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r.get(new TopicPartition("t", 0)).error());
    assertEquals(
        "Broker 5 is not live (live brokers: 1,2,3)", r.get(new TopicPartition("t", 0)).message());
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r.get(new TopicPartition("t", 1)).error());
    assertTrue(r.get(new TopicPartition("t", 1)).message().contains("Duplicate replica 2"));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, r.get(new TopicPartition("t", 7)).error());
    assertEquals(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, r.get(new TopicPartition("nope", 0)).error());
  }

  @Test
  void emptyListDuplicatePartitionDeletionAndCancelWithoutMoveAreRefused() {
    assertEquals(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        ReassignmentPlanner.validate(List.of(move(0)), TOPICS, Set.of(), LIVE)
            .get(new TopicPartition("t", 0))
            .error());
    assertEquals(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        ReassignmentPlanner.validate(List.of(move(0, 1), move(0, 2)), TOPICS, Set.of(), LIVE)
            .get(new TopicPartition("t", 0))
            .error());
    assertEquals(
        ErrorCode.INVALID_TOPIC,
        ReassignmentPlanner.validate(List.of(move(0, 1)), TOPICS, Set.of("t"), LIVE)
            .get(new TopicPartition("t", 0))
            .error());
    assertEquals(
        ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
        ReassignmentPlanner.validate(List.of(cancel("t", 0)), TOPICS, Set.of(), LIVE)
            .get(new TopicPartition("t", 0))
            .error());
  }

  @Test
  void startUsesKafkasOrderTargetsThenRemoving() {
    TopicAssignment a = topic(List.of(1, 2, 3), List.of(2, 3, 1));
    Move m = ReassignmentPlanner.start(a, 0, List.of(2, 3, 4)).orElseThrow();
    assertEquals(List.of(2, 3, 4, 1), m.replicas());
    assertEquals(List.of(4), m.adding());
    assertEquals(List.of(1), m.removing());
    assertEquals(List.of(), m.dropped());
    assertTrue(m.isReassigning());
    assertEquals(Optional.empty(), ReassignmentPlanner.start(a, 0, List.of(1, 2, 3)));
    Move reorder = ReassignmentPlanner.start(a, 0, List.of(3, 2, 1)).orElseThrow();
    assertFalse(reorder.isReassigning());
    assertEquals(List.of(3, 2, 1), reorder.replicas());
  }

  @Test
  void redirectKeepsTheOriginalReplicasAndDropsAbandonedAdditions() {
    TopicAssignment a = topic(List.of(1, 2, 3), List.of(2, 3, 1));
    Move m = ReassignmentPlanner.start(a, 0, List.of(2, 3, 4)).orElseThrow();
    TopicAssignment moving = a.withPartition(0, m.replicas(), m.adding(), m.removing());
    Move redirect = ReassignmentPlanner.start(moving, 0, List.of(1, 2, 5)).orElseThrow();
    assertEquals(List.of(1, 2, 5, 3), redirect.replicas());
    assertEquals(List.of(5), redirect.adding());
    assertEquals(List.of(3), redirect.removing());
    assertEquals(List.of(4), redirect.dropped());
  }

  @Test
  void cancelRestoresTheOriginalsAndDropsTheAdded() {
    TopicAssignment a =
        topic(List.of(1, 2, 3), List.of(2, 3, 1))
            .withPartition(0, List.of(2, 3, 4, 1), List.of(4), List.of(1));
    Move c = ReassignmentPlanner.cancel(a, 0);
    assertEquals(List.of(2, 3, 1), c.replicas()); // Kafka's order: the znode keeps no other
    assertEquals(List.of(4), c.dropped());
    assertFalse(c.isReassigning());
    // The ISR loses the dropped replica; the leader stays, same leader epoch.
    LeaderAndIsr s =
        ReassignmentPlanner.stateAfter(state(2, 5, List.of(2, 3, 1, 4)), c.replicas(), LIVE, 9);
    assertEquals(2, s.leader());
    assertEquals(5, s.leaderEpoch());
    assertEquals(List.of(2, 3, 1), s.isr());
    assertEquals(9, s.controllerEpoch());
    assertEquals(7, s.partitionEpoch());
  }

  @Test
  void stateAfterElectsWhenTheLeaderIsDropped() {
    LeaderAndIsr s =
        ReassignmentPlanner.stateAfter(state(4, 5, List.of(4, 2, 3)), List.of(1, 2, 3), LIVE, 9);
    assertEquals(2, s.leader());
    assertEquals(6, s.leaderEpoch());
    assertEquals(List.of(2, 3), s.isr());
  }

  @Test
  void completeWaitsForEveryTargetInTheIsr() {
    TopicAssignment a =
        topic(List.of(1, 2, 3), List.of(2, 3, 1))
            .withPartition(0, List.of(2, 3, 4, 1), List.of(4), List.of(1));
    assertEquals(
        Optional.empty(),
        ReassignmentPlanner.complete(a, 0, state(1, 3, List.of(1, 2, 3)), LIVE, 9));
    assertEquals(
        Optional.empty(),
        ReassignmentPlanner.complete(a, 1, state(2, 3, List.of(1, 2, 3)), LIVE, 9));
    LeaderAndIsr done =
        ReassignmentPlanner.complete(a, 0, state(1, 3, List.of(1, 2, 3, 4)), LIVE, 9).orElseThrow();
    assertEquals(2, done.leader()); // the first target replica
    assertEquals(4, done.leaderEpoch());
    assertEquals(List.of(2, 3, 4), done.isr());
    assertEquals(List.of(2, 3, 4), ReassignmentPlanner.finish(a, 0).replicas());
    assertEquals(List.of(1), ReassignmentPlanner.finish(a, 0).dropped());
  }

  @Test
  void completeKeepsALeaderInTheTargetWhenThePreferredCannotLead() {
    TopicAssignment a =
        topic(List.of(1, 2, 3), List.of(2, 3, 1))
            .withPartition(0, List.of(2, 3, 4, 1), List.of(4), List.of(1));
    LeaderAndIsr done =
        ReassignmentPlanner.complete(a, 0, state(3, 3, List.of(1, 2, 3, 4)), Set.of(1, 3, 4), 9)
            .orElseThrow();
    assertEquals(3, done.leader());
    assertEquals(3, done.leaderEpoch()); // same leader: no epoch bump
    // Leader 1 is removed and only 4 of the targets may lead.
    LeaderAndIsr moved =
        ReassignmentPlanner.complete(a, 0, state(1, 3, List.of(1, 2, 3, 4)), Set.of(1, 4), 9)
            .orElseThrow();
    assertEquals(4, moved.leader());
    assertEquals(4, moved.leaderEpoch());
    // No target can lead: wait.
    assertEquals(
        Optional.empty(),
        ReassignmentPlanner.complete(a, 0, state(1, 3, List.of(1, 2, 3, 4)), Set.of(1), 9));
  }

  @Test
  void throttleListsLoseThePartitionsEntries() {
    assertEquals("1:1,1:2", ReassignmentPlanner.withoutPartition("0:1,0:2,1:1,1:2", 0));
    assertEquals("", ReassignmentPlanner.withoutPartition("0:4", 0));
    assertEquals("*", ReassignmentPlanner.withoutPartition("*", 0));
    assertEquals("10:1", ReassignmentPlanner.withoutPartition("10:1, 1:3", 1));
  }

  @Test
  void aCancelThatWouldDeleteTheOnlyInSyncReplicasOrLeaveNoLeaderIsRefused() {
    // {1,2} moving to {3,4}: replicas [3,4,1,2]; 3 joined the ISR, then 1 and 2 died
    TreeMap<Integer, List<Integer>> r = new TreeMap<>();
    r.put(0, List.of(3, 4, 1, 2));
    TopicAssignment moving =
        new TopicAssignment(
            "t",
            ID,
            r,
            new TreeMap<>(Map.of(0, List.of(3, 4))),
            new TreeMap<>(Map.of(0, List.of(1, 2))));
    TopicPartition tp = new TopicPartition("t", 0);
    Move back = ReassignmentPlanner.cancel(moving, 0);
    Optional<Refusal> refused =
        ReassignmentPlanner.unsafe(tp, back, state(3, 5, List.of(3)), Set.of(3, 4));
    assertTrue(refused.isPresent(), "cancel would delete the only in-sync replica");
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, refused.get().error());
    assertTrue(refused.get().message().contains("would lose its records"), refused.get().message());

    // ISR {3,1}, leader 3, broker 1 not eligible (shutting down): the cancel leaves no leader
    Optional<Refusal> leaderless =
        ReassignmentPlanner.unsafe(tp, back, state(3, 5, List.of(3, 1)), Set.of(3, 4));
    assertTrue(leaderless.isPresent());
    assertTrue(leaderless.get().message().contains("no leader"), leaderless.get().message());

    // with broker 1 live and in the ISR the cancel is safe: 1 leads
    assertFalse(
        ReassignmentPlanner.unsafe(tp, back, state(3, 5, List.of(3, 1)), Set.of(1, 3, 4))
            .isPresent());
    // a plain start that keeps the leader is safe
    Move start = ReassignmentPlanner.start(TOPICS.get("t"), 0, List.of(2, 3, 4)).orElseThrow();
    assertFalse(
        ReassignmentPlanner.unsafe(tp, start, state(1, 0, List.of(1, 2, 3)), LIVE).isPresent());
  }
}
