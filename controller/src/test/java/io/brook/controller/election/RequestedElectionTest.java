package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.LeaderAndIsr;
import io.brook.protocol.v1.ErrorCode;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision table of ElectLeaders for one partition (assignment [1, 2, 3] unless said). */
class RequestedElectionTest {
  private static final List<Integer> ASSIGNMENT = List.of(1, 2, 3);

  static Stream<Arguments> cases() {
    return Stream.of(
        // mode, leader, isr, live, eligible, expected error, expected leader, expected isr
        Arguments.of(
            "preferred back in the ISR becomes leader, ISR kept",
            ElectionMode.PREFERRED,
            2,
            List.of(2, 3, 1),
            Set.of(1, 2, 3),
            Set.of(1, 2, 3),
            ErrorCode.NONE,
            1,
            List.of(2, 3, 1)),
        Arguments.of(
            "preferred already leads",
            ElectionMode.PREFERRED,
            1,
            List.of(1, 2, 3),
            Set.of(1, 2, 3),
            Set.of(1, 2, 3),
            ErrorCode.ELECTION_NOT_NEEDED,
            -1,
            null),
        Arguments.of(
            "preferred live but not in the ISR",
            ElectionMode.PREFERRED,
            2,
            List.of(2, 3),
            Set.of(1, 2, 3),
            Set.of(1, 2, 3),
            ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
            -1,
            null),
        Arguments.of(
            "preferred in the ISR but down",
            ElectionMode.PREFERRED,
            2,
            List.of(1, 2),
            Set.of(2, 3),
            Set.of(2, 3),
            ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
            -1,
            null),
        Arguments.of(
            "preferred shutting down",
            ElectionMode.PREFERRED,
            2,
            List.of(1, 2),
            Set.of(1, 2, 3),
            Set.of(2, 3),
            ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
            -1,
            null),
        Arguments.of(
            "preferred election of an offline partition whose preferred replica is back",
            ElectionMode.PREFERRED,
            -1,
            List.of(1),
            Set.of(1),
            Set.of(1),
            ErrorCode.NONE,
            1,
            List.of(1)),
        Arguments.of(
            "unclean: a live leader needs no election",
            ElectionMode.UNCLEAN,
            2,
            List.of(2),
            Set.of(1, 2, 3),
            Set.of(1, 2, 3),
            ErrorCode.ELECTION_NOT_NEEDED,
            -1,
            null),
        Arguments.of(
            "unclean: first live replica outside the ISR, alone in the ISR",
            ElectionMode.UNCLEAN,
            -1,
            List.of(1),
            Set.of(2, 3),
            Set.of(2, 3),
            ErrorCode.NONE,
            2,
            List.of(2)),
        Arguments.of(
            "unclean: a live ISR member is preferred to the assignment order",
            ElectionMode.UNCLEAN,
            -1,
            List.of(3, 1),
            Set.of(2, 3),
            Set.of(2, 3),
            ErrorCode.NONE,
            3,
            List.of(3)),
        Arguments.of(
            "unclean: leader gone (not yet noticed) is replaced",
            ElectionMode.UNCLEAN,
            1,
            List.of(1, 2),
            Set.of(2, 3),
            Set.of(2, 3),
            ErrorCode.NONE,
            2,
            List.of(2)),
        Arguments.of(
            "unclean: no live replica",
            ElectionMode.UNCLEAN,
            -1,
            List.of(1),
            Set.of(4),
            Set.of(4),
            ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
            -1,
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(
      String name,
      ElectionMode mode,
      int leader,
      List<Integer> isr,
      Set<Integer> live,
      Set<Integer> eligible,
      ErrorCode error,
      int newLeader,
      List<Integer> newIsr) {
    LeaderAndIsr current = new LeaderAndIsr(leader, 7, isr, 1, 11);
    RequestedElection.Outcome o =
        RequestedElection.decide(mode, current, ASSIGNMENT, live, eligible, 4);
    assertEquals(error, o.error(), name + ": " + o.message());
    if (error == ErrorCode.NONE) {
      LeaderAndIsr w = o.write().orElseThrow();
      assertEquals(newLeader, w.leader());
      assertEquals(newIsr, w.isr());
      assertEquals(8, w.leaderEpoch(), "the leader epoch moves");
      assertEquals(4, w.controllerEpoch());
      assertEquals(11, w.partitionEpoch(), "conditional on the partition epoch read");
    } else {
      assertTrue(o.write().isEmpty());
      assertTrue(!o.message().isEmpty(), "errors say why");
    }
  }
}
