package io.brook.controller.election;

import io.brook.metadata.LeaderAndIsr;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validation of one partition of an AlterPartition request (KIP-497), as a pure function: the
 * checks Kafka's controller makes before it writes an ISR change the leader asked for. Stateless.
 *
 * <p>Order of the checks: leader epoch (FENCED_LEADER_EPOCH), sender is the leader
 * (NEW_LEADER_ELECTED), the proposal is well formed (INVALID_REQUEST: empty, duplicates, leader
 * missing), no change (answered with the current state, nothing written: retries are idempotent),
 * partition epoch (INVALID_UPDATE_VERSION), members (INELIGIBLE_REPLICA: not a replica, not live,
 * or shutting down; the leader itself is exempt from the shutting-down check, so that an ISR
 * expansion that lets a controlled shutdown move leadership is not refused).
 */
public final class AlterPartitionValidation {
  private AlterPartitionValidation() {}

  /**
   * The outcome for one partition.
   *
   * @param error NONE when {@code write} (or a no-op) is the answer
   * @param write the state to write (conditional on its partition epoch); empty for a no-op or an
   *     error
   */
  public record Outcome(ErrorCode error, String message, Optional<LeaderAndIsr> write) {
    static Outcome error(ErrorCode e, String message) {
      return new Outcome(e, message, Optional.empty());
    }

    public boolean isNoOp() {
      return error == ErrorCode.NONE && write.isEmpty();
    }
  }

  /**
   * @param sender the broker that sent the request
   * @param current the partition's committed state
   * @param assignment the partition's replicas
   * @param leaderEpoch the leader epoch in the request
   * @param partitionEpoch the partition epoch in the request
   * @param newIsr the proposed ISR
   * @param live the live brokers
   * @param shuttingDown the brokers in controlled shutdown
   * @param controllerEpoch the epoch of the controller that writes the change
   */
  public static Outcome validate(
      int sender,
      LeaderAndIsr current,
      List<Integer> assignment,
      int leaderEpoch,
      int partitionEpoch,
      List<Integer> newIsr,
      Set<Integer> live,
      Set<Integer> shuttingDown,
      int controllerEpoch) {
    if (leaderEpoch != current.leaderEpoch()) {
      return Outcome.error(
          ErrorCode.FENCED_LEADER_EPOCH,
          "Leader epoch "
              + leaderEpoch
              + " is not the current one ("
              + current.leaderEpoch()
              + ")");
    }
    if (current.leader() != sender) {
      return Outcome.error(
          ErrorCode.NEW_LEADER_ELECTED,
          "Broker " + sender + " is not the leader (the leader is " + current.leader() + ")");
    }
    if (newIsr.isEmpty()) {
      return Outcome.error(ErrorCode.INVALID_REQUEST, "The proposed ISR is empty");
    }
    if (new HashSet<>(newIsr).size() != newIsr.size()) {
      return Outcome.error(
          ErrorCode.INVALID_REQUEST, "The proposed ISR " + newIsr + " has duplicates");
    }
    if (!newIsr.contains(current.leader())) {
      return Outcome.error(
          ErrorCode.INVALID_REQUEST,
          "The proposed ISR " + newIsr + " does not contain the leader " + current.leader());
    }
    if (new HashSet<>(newIsr).equals(new HashSet<>(current.isr()))) {
      return new Outcome(ErrorCode.NONE, "", Optional.empty());
    }
    if (partitionEpoch != current.partitionEpoch()) {
      return Outcome.error(
          ErrorCode.INVALID_UPDATE_VERSION,
          "Partition epoch "
              + partitionEpoch
              + " is not the current one ("
              + current.partitionEpoch()
              + ")");
    }
    Set<Integer> ineligible = new TreeSet<>();
    for (int r : newIsr) {
      boolean ok =
          assignment.contains(r)
              && live.contains(r)
              && (r == current.leader() || !shuttingDown.contains(r));
      if (!ok) {
        ineligible.add(r);
      }
    }
    if (!ineligible.isEmpty()) {
      return Outcome.error(
          ErrorCode.INELIGIBLE_REPLICA,
          "Replicas "
              + ineligible
              + " of the proposed ISR "
              + newIsr
              + " are not live replicas (or are shutting down)");
    }
    return new Outcome(
        ErrorCode.NONE, "", Optional.of(current.withIsr(new ArrayList<>(newIsr), controllerEpoch)));
  }
}
