package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.metadata.LeaderAndIsr;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PartitionLeaderElectionTest {

  static Stream<Arguments> electCases() {
    return Stream.of(
        // assignment, isr, live, mode, expected leader (-1 none)
        Arguments.of(
            List.of(1, 2, 3), List.of(1, 2, 3), Set.of(1, 2, 3), ElectionMode.PREFERRED, 1),
        Arguments.of(List.of(1, 2, 3), List.of(2, 3), Set.of(1, 2, 3), ElectionMode.PREFERRED, -1),
        Arguments.of(List.of(1, 2, 3), List.of(1, 2, 3), Set.of(2, 3), ElectionMode.PREFERRED, -1),
        Arguments.of(List.of(1, 2, 3), List.of(1, 2, 3), Set.of(1, 2, 3), ElectionMode.ONLINE, 1),
        Arguments.of(List.of(1, 2, 3), List.of(3, 2), Set.of(1, 2, 3), ElectionMode.ONLINE, 2),
        Arguments.of(List.of(1, 2, 3), List.of(1, 3), Set.of(2, 3), ElectionMode.ONLINE, 3),
        Arguments.of(List.of(1, 2, 3), List.of(1), Set.of(2, 3), ElectionMode.ONLINE, -1),
        Arguments.of(List.of(1, 2, 3), List.of(1), Set.of(2, 3), ElectionMode.UNCLEAN, 2),
        Arguments.of(List.of(1, 2, 3), List.of(3), Set.of(2, 3), ElectionMode.UNCLEAN, 3),
        Arguments.of(List.of(1), List.of(1), Set.of(), ElectionMode.UNCLEAN, -1),
        Arguments.of(List.of(), List.of(), Set.of(1), ElectionMode.ONLINE, -1));
  }

  @ParameterizedTest
  @MethodSource("electCases")
  void elect(
      List<Integer> assignment,
      List<Integer> isr,
      Set<Integer> live,
      ElectionMode mode,
      int expected) {
    OptionalInt leader = PartitionLeaderElection.elect(assignment, isr, live, mode);
    assertEquals(expected, leader.orElse(-1));
  }

  static Stream<Arguments> offlineCases() {
    LeaderAndIsr ledBy1 = new LeaderAndIsr(1, 5, List.of(1, 2), 1, 7);
    LeaderAndIsr single = new LeaderAndIsr(1, 5, List.of(1), 1, 7);
    LeaderAndIsr offline = new LeaderAndIsr(-1, 6, List.of(1), 2, 8);
    return Stream.of(
        // current, assignment, live, unclean, expected (null: no change)
        Arguments.of(ledBy1, List.of(1, 2), Set.of(1, 2), false, null),
        Arguments.of(
            ledBy1, List.of(1, 2), Set.of(2), false, new LeaderAndIsr(2, 6, List.of(2), 9, 7)),
        Arguments.of(
            ledBy1, List.of(1, 2), Set.of(1), false, new LeaderAndIsr(1, 6, List.of(1), 9, 7)),
        // the last ISR member goes: offline, ISR keeps it
        Arguments.of(
            single, List.of(1), Set.of(2), false, new LeaderAndIsr(-1, 6, List.of(1), 9, 7)),
        Arguments.of(
            ledBy1, List.of(1, 2), Set.of(), false, new LeaderAndIsr(-1, 6, List.of(1), 9, 7)),
        // already offline and still nobody eligible: nothing to write
        Arguments.of(offline, List.of(1, 2), Set.of(2), false, null),
        // unclean: a live replica outside the ISR takes over
        Arguments.of(
            offline, List.of(1, 2), Set.of(2), true, new LeaderAndIsr(2, 7, List.of(2), 9, 8)),
        // the ISR member comes back
        Arguments.of(
            offline, List.of(1, 2), Set.of(1, 2), false, new LeaderAndIsr(1, 7, List.of(1), 9, 8)));
  }

  @ParameterizedTest
  @MethodSource("offlineCases")
  void onReplicasOffline(
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      boolean unclean,
      LeaderAndIsr expected) {
    assertEquals(
        Optional.ofNullable(expected),
        PartitionLeaderElection.onReplicasOffline(current, assignment, live, unclean, 9));
  }

  @Test
  void offlinePartitionComesBackOnlyWithALeader() {
    LeaderAndIsr offline = new LeaderAndIsr(-1, 6, List.of(1), 2, 8);
    assertEquals(
        Optional.empty(),
        PartitionLeaderElection.onOfflinePartition(offline, List.of(1), Set.of(2), false, 3));
    assertEquals(
        Optional.of(new LeaderAndIsr(1, 7, List.of(1), 3, 8)),
        PartitionLeaderElection.onOfflinePartition(offline, List.of(1), Set.of(1, 2), false, 3));
  }

  @Test
  void controlledShutdown() {
    LeaderAndIsr s = new LeaderAndIsr(1, 0, List.of(1, 2), 1, 0);
    assertEquals(
        Optional.of(new LeaderAndIsr(2, 1, List.of(2), 4, 0)),
        PartitionLeaderElection.onControlledShutdown(s, List.of(1, 2), 1, Set.of(1, 2), 4));
    LeaderAndIsr single = new LeaderAndIsr(1, 0, List.of(1), 1, 0);
    assertEquals(
        Optional.empty(),
        PartitionLeaderElection.onControlledShutdown(single, List.of(1), 1, Set.of(1, 2), 4));
  }

  /** The test-only fault: off, the ISR member wins; on, the live replica outside the ISR wins. */
  @Test
  void electLeaderOutsideIsrPrefersALiveReplicaOutsideTheIsrOnlyWhenOn() {
    // Leader 1 dies; 2 is in the ISR, 3 is live but was dropped from it.
    LeaderAndIsr ledBy1 = new LeaderAndIsr(1, 5, List.of(1, 2), 1, 7);
    List<Integer> assignment = List.of(1, 2, 3);
    Set<Integer> live = Set.of(2, 3);

    assertEquals(
        Optional.of(new LeaderAndIsr(2, 6, List.of(2), 9, 7)),
        PartitionLeaderElection.onReplicasOffline(ledBy1, assignment, live, false, 9));
    assertEquals(
        Optional.of(new LeaderAndIsr(2, 6, List.of(2), 9, 7)),
        PartitionLeaderElection.onReplicasOffline(ledBy1, assignment, live, false, false, 9));
    assertEquals(
        Optional.of(new LeaderAndIsr(3, 6, List.of(3), 9, 7)),
        PartitionLeaderElection.onReplicasOffline(ledBy1, assignment, live, false, true, 9));

    // No live replica outside the ISR: the normal election.
    assertEquals(
        Optional.of(new LeaderAndIsr(2, 6, List.of(2), 9, 7)),
        PartitionLeaderElection.onReplicasOffline(ledBy1, List.of(1, 2), live, false, true, 9));
    // The leader is alive: no election at all.
    assertEquals(
        Optional.empty(),
        PartitionLeaderElection.onReplicasOffline(
            ledBy1, assignment, Set.of(1, 2, 3), false, true, 9));

    // An offline partition coming back.
    LeaderAndIsr offline = new LeaderAndIsr(-1, 6, List.of(1), 2, 8);
    assertEquals(
        Optional.of(new LeaderAndIsr(1, 7, List.of(1), 3, 8)),
        PartitionLeaderElection.onOfflinePartition(
            offline, List.of(1, 2), Set.of(1, 2), false, false, 3));
    assertEquals(
        Optional.of(new LeaderAndIsr(2, 7, List.of(2), 3, 8)),
        PartitionLeaderElection.onOfflinePartition(
            offline, List.of(1, 2), Set.of(1, 2), false, true, 3));

    // Controlled shutdown of leader 1.
    LeaderAndIsr s = new LeaderAndIsr(1, 0, List.of(1, 2), 1, 0);
    assertEquals(
        Optional.of(new LeaderAndIsr(2, 1, List.of(2), 4, 0)),
        PartitionLeaderElection.onControlledShutdown(s, assignment, 1, Set.of(1, 2, 3), false, 4));
    assertEquals(
        Optional.of(new LeaderAndIsr(3, 1, List.of(3), 4, 0)),
        PartitionLeaderElection.onControlledShutdown(s, assignment, 1, Set.of(1, 2, 3), true, 4));
  }

  @Test
  void initialState() {
    assertEquals(
        LeaderAndIsr.initial(2, List.of(2, 3), 1),
        PartitionLeaderElection.initialState(List.of(1, 2, 3), Set.of(2, 3), 1));
  }
}
