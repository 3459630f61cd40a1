package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.LeaderAndIsr;
import io.brook.protocol.v1.ErrorCode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlterPartitionValidationTest {
  // leader 1, leader epoch 4, ISR [1, 2, 3], controller epoch 1, partition epoch 7
  private static final LeaderAndIsr CURRENT = new LeaderAndIsr(1, 4, List.of(1, 2, 3), 1, 7);
  private static final List<Integer> REPLICAS = List.of(1, 2, 3);
  private static final Set<Integer> LIVE = Set.of(1, 2, 3);

  private static AlterPartitionValidation.Outcome validate(
      int sender, int leaderEpoch, int partitionEpoch, List<Integer> isr, Set<Integer> shutting) {
    return AlterPartitionValidation.validate(
        sender, CURRENT, REPLICAS, leaderEpoch, partitionEpoch, isr, LIVE, shutting, 2);
  }

  @Test
  void shrinkIsWrittenWithTheSameLeaderEpochAndConditionalOnThePartitionEpoch() {
    var o = validate(1, 4, 7, List.of(1, 2), Set.of());
    assertEquals(ErrorCode.NONE, o.error());
    assertEquals(new LeaderAndIsr(1, 4, List.of(1, 2), 2, 7), o.write().orElseThrow());
  }

  @Test
  void expansionOfALiveReplica() {
    LeaderAndIsr small = new LeaderAndIsr(1, 4, List.of(1), 1, 7);
    var o =
        AlterPartitionValidation.validate(
            1, small, REPLICAS, 4, 7, List.of(1, 3), LIVE, Set.of(), 2);
    assertEquals(List.of(1, 3), o.write().orElseThrow().isr());
  }

  @Test
  void staleLeaderEpochIsFenced() {
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, validate(1, 3, 7, List.of(1, 2), Set.of()).error());
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, validate(1, 5, 7, List.of(1, 2), Set.of()).error());
  }

  @Test
  void aSenderThatIsNotTheLeader() {
    assertEquals(ErrorCode.NEW_LEADER_ELECTED, validate(2, 4, 7, List.of(1, 2), Set.of()).error());
  }

  @Test
  void stalePartitionEpoch() {
    var o = validate(1, 4, 6, List.of(1, 2), Set.of());
    assertEquals(ErrorCode.INVALID_UPDATE_VERSION, o.error());
    assertTrue(o.write().isEmpty());
  }

  @Test
  void sameIsrIsANoOpEvenWithAStalePartitionEpoch() {
    var o = validate(1, 4, 6, List.of(3, 2, 1), Set.of());
    assertEquals(ErrorCode.NONE, o.error());
    assertTrue(o.isNoOp());
  }

  @Test
  void malformedProposals() {
    assertEquals(ErrorCode.INVALID_REQUEST, validate(1, 4, 7, List.of(2, 3), Set.of()).error());
    assertEquals(ErrorCode.INVALID_REQUEST, validate(1, 4, 7, List.of(), Set.of()).error());
    assertEquals(ErrorCode.INVALID_REQUEST, validate(1, 4, 7, List.of(1, 2, 2), Set.of()).error());
  }

  @Test
  void ineligibleMembers() {
    LeaderAndIsr small = new LeaderAndIsr(1, 4, List.of(1), 1, 7);
    // not live
    assertEquals(
        ErrorCode.INELIGIBLE_REPLICA,
        AlterPartitionValidation.validate(
                1, small, REPLICAS, 4, 7, List.of(1, 2), Set.of(1, 3), Set.of(), 2)
            .error());
    // not a replica
    assertEquals(
        ErrorCode.INELIGIBLE_REPLICA,
        AlterPartitionValidation.validate(
                1, small, REPLICAS, 4, 7, List.of(1, 4), Set.of(1, 2, 3, 4), Set.of(), 2)
            .error());
    // shutting down
    assertEquals(
        ErrorCode.INELIGIBLE_REPLICA,
        AlterPartitionValidation.validate(
                1, small, REPLICAS, 4, 7, List.of(1, 2), LIVE, Set.of(2), 2)
            .error());
    // the leader itself shutting down may still expand (so leadership can move away)
    assertEquals(
        ErrorCode.NONE,
        AlterPartitionValidation.validate(
                1, small, REPLICAS, 4, 7, List.of(1, 2), LIVE, Set.of(1), 2)
            .error());
  }
}
