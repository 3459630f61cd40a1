package io.brook.controller.election;

import io.brook.metadata.LeaderAndIsr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Leader election and the leader-and-ISR transitions the controller makes, as pure functions
 * (Kafka's {@code Election.scala} / {@code PartitionLeaderElectionAlgorithms}). Stateless.
 */
public final class PartitionLeaderElection {
  private PartitionLeaderElection() {}

  /**
   * Chooses a leader.
   *
   * @param assignment the replicas in assignment order (preferred first)
   * @param isr the current in-sync replicas
   * @param live the brokers that may lead (live and not shutting down)
   * @return the new leader, or empty when none is eligible
   */
  public static OptionalInt elect(
      List<Integer> assignment, Collection<Integer> isr, Set<Integer> live, ElectionMode mode) {
    switch (mode) {
      case PREFERRED:
        if (!assignment.isEmpty()) {
          int preferred = assignment.get(0);
          if (live.contains(preferred) && isr.contains(preferred)) {
            return OptionalInt.of(preferred);
          }
        }
        return OptionalInt.empty();
      case ONLINE:
        return firstLive(assignment, isr, live, true);
      case UNCLEAN:
        OptionalInt clean = firstLive(assignment, isr, live, true);
        return clean.isPresent() ? clean : firstLive(assignment, isr, live, false);
      default:
        throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  /** The first live replica, in assignment order, that is not in the ISR. */
  private static OptionalInt firstLiveOutsideIsr(
      List<Integer> assignment, Collection<Integer> isr, Set<Integer> live) {
    for (int r : assignment) {
      if (live.contains(r) && !isr.contains(r)) {
        return OptionalInt.of(r);
      }
    }
    return OptionalInt.empty();
  }

  private static OptionalInt firstLive(
      List<Integer> assignment, Collection<Integer> isr, Set<Integer> live, boolean inIsr) {
    for (int r : assignment) {
      if (live.contains(r) && (!inIsr || isr.contains(r))) {
        return OptionalInt.of(r);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The state after the brokers outside {@code live} went away, or empty when nothing changes. The
   * leader, if it is gone, is replaced by an ONLINE (or UNCLEAN) election; gone brokers leave the
   * ISR. With no eligible leader the partition goes offline (leader -1) and, as in Kafka, the ISR
   * keeps its last member so that the partition comes back when that broker returns. Every change
   * bumps the leader epoch.
   */
  public static java.util.Optional<LeaderAndIsr> onReplicasOffline(
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      boolean uncleanAllowed,
      int controllerEpoch) {
    return onReplicasOffline(current, assignment, live, uncleanAllowed, false, controllerEpoch);
  }

  /**
   * As {@link #onReplicasOffline(LeaderAndIsr, List, Set, boolean, int)}; with {@code
   * preferOutsideIsr} (the test-only fault {@code brook.test.electLeaderOutsideIsr}) a leader that
   * is gone is replaced by the first live replica outside the ISR when there is one, and the ISR
   * becomes that leader alone, as an unclean election would make it. Acknowledged records may be
   * lost: only fault-injection tests that must see the checker report losses set it.
   */
  public static java.util.Optional<LeaderAndIsr> onReplicasOffline(
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      boolean uncleanAllowed,
      boolean preferOutsideIsr,
      int controllerEpoch) {
    List<Integer> liveIsr = new ArrayList<>();
    for (int r : current.isr()) {
      if (live.contains(r)) {
        liveIsr.add(r);
      }
    }
    boolean leaderAlive = current.hasLeader() && live.contains(current.leader());
    if (leaderAlive) {
      if (liveIsr.size() == current.isr().size()) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(
          current.newLeaderAndIsr(current.leader(), liveIsr, controllerEpoch));
    }
    if (preferOutsideIsr) {
      OptionalInt outside = firstLiveOutsideIsr(assignment, current.isr(), live);
      if (outside.isPresent()) {
        return java.util.Optional.of(
            current.newLeaderAndIsr(
                outside.getAsInt(), List.of(outside.getAsInt()), controllerEpoch));
      }
    }
    OptionalInt leader =
        elect(
            assignment,
            current.isr(),
            live,
            uncleanAllowed ? ElectionMode.UNCLEAN : ElectionMode.ONLINE);
    if (leader.isPresent()) {
      List<Integer> isr =
          liveIsr.contains(leader.getAsInt()) ? liveIsr : List.of(leader.getAsInt());
      return java.util.Optional.of(
          current.newLeaderAndIsr(leader.getAsInt(), isr, controllerEpoch));
    }
    if (!current.hasLeader() && current.isr().size() <= 1) {
      return java.util.Optional.empty(); // already offline, nothing to record
    }
    List<Integer> keep;
    if (current.isr().isEmpty()) {
      keep = List.of();
    } else if (current.hasLeader() && current.isr().contains(current.leader())) {
      keep = List.of(current.leader());
    } else {
      keep = List.of(current.isr().get(current.isr().size() - 1));
    }
    return java.util.Optional.of(
        current.newLeaderAndIsr(LeaderAndIsr.NO_LEADER, keep, controllerEpoch));
  }

  /**
   * The state of an offline partition (no leader) once more brokers are live: an ONLINE (or
   * UNCLEAN) election; empty when still no replica is eligible or the partition has a leader.
   */
  public static java.util.Optional<LeaderAndIsr> onOfflinePartition(
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      boolean uncleanAllowed,
      int controllerEpoch) {
    return onOfflinePartition(current, assignment, live, uncleanAllowed, false, controllerEpoch);
  }

  /**
   * As {@link #onOfflinePartition(LeaderAndIsr, List, Set, boolean, int)}, with the test-only
   * {@code preferOutsideIsr} of {@link #onReplicasOffline(LeaderAndIsr, List, Set, boolean,
   * boolean, int)}.
   */
  public static java.util.Optional<LeaderAndIsr> onOfflinePartition(
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      boolean uncleanAllowed,
      boolean preferOutsideIsr,
      int controllerEpoch) {
    if (current.hasLeader() && live.contains(current.leader())) {
      return java.util.Optional.empty();
    }
    return onReplicasOffline(
            current, assignment, live, uncleanAllowed, preferOutsideIsr, controllerEpoch)
        .filter(LeaderAndIsr::hasLeader);
  }

  /**
   * Moves leadership away from a broker that is shutting down: the first other live ISR member; the
   * shutting-down broker also leaves the ISR. Empty when no other ISR member is live (the partition
   * stays with its leader).
   */
  public static java.util.Optional<LeaderAndIsr> onControlledShutdown(
      LeaderAndIsr current,
      List<Integer> assignment,
      int shuttingDown,
      Set<Integer> live,
      int controllerEpoch) {
    return onControlledShutdown(current, assignment, shuttingDown, live, false, controllerEpoch);
  }

  /**
   * As {@link #onControlledShutdown(LeaderAndIsr, List, int, Set, int)}; with the test-only {@code
   * preferOutsideIsr} the new leader is the first other live replica outside the ISR when there is
   * one, and the ISR becomes that leader alone.
   */
  public static java.util.Optional<LeaderAndIsr> onControlledShutdown(
      LeaderAndIsr current,
      List<Integer> assignment,
      int shuttingDown,
      Set<Integer> live,
      boolean preferOutsideIsr,
      int controllerEpoch) {
    if (current.leader() != shuttingDown) {
      return java.util.Optional.empty();
    }
    Set<Integer> others = new java.util.HashSet<>(live);
    others.remove(shuttingDown);
    if (preferOutsideIsr) {
      OptionalInt outside = firstLiveOutsideIsr(assignment, current.isr(), others);
      if (outside.isPresent()) {
        return java.util.Optional.of(
            current.newLeaderAndIsr(
                outside.getAsInt(), List.of(outside.getAsInt()), controllerEpoch));
      }
    }
    OptionalInt leader = elect(assignment, current.isr(), others, ElectionMode.ONLINE);
    if (leader.isEmpty()) {
      return java.util.Optional.empty();
    }
    List<Integer> isr = new ArrayList<>(current.isr());
    isr.remove(Integer.valueOf(shuttingDown));
    return java.util.Optional.of(current.newLeaderAndIsr(leader.getAsInt(), isr, controllerEpoch));
  }

  /** The initial state of a new partition: leader = first live replica, ISR = live replicas. */
  public static LeaderAndIsr initialState(
      List<Integer> assignment, Set<Integer> live, int controllerEpoch) {
    List<Integer> isr = new ArrayList<>();
    for (int r : assignment) {
      if (live.contains(r)) {
        isr.add(r);
      }
    }
    int leader = isr.isEmpty() ? LeaderAndIsr.NO_LEADER : isr.get(0);
    if (isr.isEmpty() && !assignment.isEmpty()) {
      isr.add(assignment.get(0));
    }
    return LeaderAndIsr.initial(leader, isr, controllerEpoch);
  }
}
