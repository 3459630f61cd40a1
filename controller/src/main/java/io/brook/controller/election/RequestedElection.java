package io.brook.controller.election;

import io.brook.metadata.LeaderAndIsr;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The decision for one partition of an ElectLeaders request (Kafka's KIP-460), as a pure function
 * over the partition's state: what to write and what to answer. Stateless.
 *
 * <p>PREFERRED: the preferred replica (first of the assignment) already leads ->
 * ELECTION_NOT_NEEDED; it is live (and not shutting down) and in the ISR -> it becomes leader with
 * the same ISR, leader epoch + 1 -> NONE; otherwise PREFERRED_LEADER_NOT_AVAILABLE. UNCLEAN: only a
 * partition without a live leader is elected: the first eligible replica in the ISR, failing that
 * the first eligible replica at all (its ISR is then that replica alone) -> NONE; a partition with
 * a live leader -> ELECTION_NOT_NEEDED; no eligible replica -> ELIGIBLE_LEADERS_NOT_AVAILABLE.
 */
public final class RequestedElection {
  private RequestedElection() {}

  /**
   * @param error NONE when {@code write} is to be made
   * @param write the new state (conditional on its partition epoch), present only with NONE
   */
  public record Outcome(ErrorCode error, String message, Optional<LeaderAndIsr> write) {
    static Outcome error(ErrorCode e, String message) {
      return new Outcome(e, message, Optional.empty());
    }

    static Outcome elect(LeaderAndIsr next) {
      return new Outcome(ErrorCode.NONE, "", Optional.of(next));
    }
  }

  /**
   * @param mode PREFERRED or UNCLEAN (ONLINE is not something an operator asks for)
   * @param current the partition's committed state
   * @param assignment its replicas, preferred first
   * @param live the registered brokers
   * @param eligible the brokers that may become leader: live and not shutting down
   * @param controllerEpoch the epoch of the controller that writes the change
   */
  public static Outcome decide(
      ElectionMode mode,
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      Set<Integer> eligible,
      int controllerEpoch) {
    if (assignment.isEmpty()) {
      return Outcome.error(
          ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, "The partition has no replicas.");
    }
    switch (mode) {
      case PREFERRED:
        return preferred(current, assignment, eligible, controllerEpoch);
      case UNCLEAN:
        return unclean(current, assignment, live, eligible, controllerEpoch);
      default:
        throw new IllegalArgumentException("Not an election an operator can ask for: " + mode);
    }
  }

  private static Outcome preferred(
      LeaderAndIsr current, List<Integer> assignment, Set<Integer> eligible, int controllerEpoch) {
    int preferred = assignment.get(0);
    if (current.leader() == preferred) {
      return Outcome.error(
          ErrorCode.ELECTION_NOT_NEEDED, "Leader is already the preferred replica " + preferred);
    }
    OptionalInt leader =
        PartitionLeaderElection.elect(assignment, current.isr(), eligible, ElectionMode.PREFERRED);
    if (leader.isEmpty()) {
      String why =
          !eligible.contains(preferred) ? "is not live" : "is not in the ISR " + current.isr();
      return Outcome.error(
          ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
          "Failed to elect leader: preferred replica " + preferred + " " + why);
    }
    return Outcome.elect(current.newLeaderAndIsr(preferred, current.isr(), controllerEpoch));
  }

  private static Outcome unclean(
      LeaderAndIsr current,
      List<Integer> assignment,
      Set<Integer> live,
      Set<Integer> eligible,
      int controllerEpoch) {
    if (current.hasLeader() && live.contains(current.leader())) {
      return Outcome.error(
          ErrorCode.ELECTION_NOT_NEEDED,
          "Partition has a live leader " + current.leader() + "; unclean election not needed");
    }
    OptionalInt leader =
        PartitionLeaderElection.elect(assignment, current.isr(), eligible, ElectionMode.UNCLEAN);
    if (leader.isEmpty()) {
      return Outcome.error(
          ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
          "Failed to elect leader: none of the replicas " + assignment + " is live");
    }
    int l = leader.getAsInt();
    List<Integer> isr;
    if (current.isr().contains(l)) {
      isr = new ArrayList<>();
      for (int r : current.isr()) {
        if (live.contains(r)) {
          isr.add(r);
        }
      }
    } else {
      isr = List.of(l);
    }
    return Outcome.elect(current.newLeaderAndIsr(l, isr, controllerEpoch));
  }
}
