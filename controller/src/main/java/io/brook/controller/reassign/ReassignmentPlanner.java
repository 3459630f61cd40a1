package io.brook.controller.reassign;

import io.brook.common.TopicPartition;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The pure decisions of a partition reassignment (Kafka's KIP-455 steps, DESIGN.md "Controller"):
 * validating a plan as a whole, the replica sets of each step, and the leader and ISR each step
 * writes. Stateless; no ZooKeeper, no clock.
 *
 * <p>Steps of one partition moving from original replicas O to target replicas T: (1) {@link
 * #start}: replicas = T followed by O - T, adding = T - O, removing = O - T; (2) wait until every
 * replica of T is in the ISR ({@link #complete} answers empty until then); (3+4) {@link #complete}:
 * leader = the first replica of T when it is eligible and in the ISR, else the current leader when
 * it is in T and eligible, else the first eligible replica of T in the ISR; replicas = T, ISR = ISR
 * - removing, no adding/removing. {@link #cancel} goes back to O (adding replicas are dropped).
 */
public final class ReassignmentPlanner {
  private ReassignmentPlanner() {}

  /** One partition of a plan: its target replicas, or a cancel. */
  public record PartitionRequest(TopicPartition tp, List<Integer> replicas, boolean cancel) {
    public PartitionRequest {
      replicas = List.copyOf(replicas);
    }
  }

  /** Why a partition of a plan is refused. */
  public record Refusal(ErrorCode error, String message) {}

  /**
   * Validates a whole plan. A plan is applied only when this returns an empty map.
   *
   * @param topics every topic the controller knows
   * @param deleting topics queued for deletion
   * @param live live broker ids
   * @return the refused partitions, in plan order
   */
  public static Map<TopicPartition, Refusal> validate(
      List<PartitionRequest> plan,
      Map<String, TopicAssignment> topics,
      Set<String> deleting,
      Set<Integer> live) {
    Map<TopicPartition, Refusal> out = new LinkedHashMap<>();
    Set<TopicPartition> seen = new HashSet<>();
    for (PartitionRequest r : plan) {
      TopicPartition tp = r.tp();
      if (!seen.add(tp)) {
        out.putIfAbsent(
            tp,
            new Refusal(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "Partition " + tp + " appears twice in the plan"));
        continue;
      }
      refusal(r, topics, deleting, live).ifPresent(f -> out.put(tp, f));
    }
    return out;
  }

  private static Optional<Refusal> refusal(
      PartitionRequest r,
      Map<String, TopicAssignment> topics,
      Set<String> deleting,
      Set<Integer> live) {
    TopicPartition tp = r.tp();
    TopicAssignment a = topics.get(tp.topic());
    if (a == null) {
      return Optional.of(
          new Refusal(
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + tp.topic() + " does not exist"));
    }
    if (!a.replicas().containsKey(tp.partition())) {
      return Optional.of(
          new Refusal(
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              "Partition "
                  + tp
                  + " does not exist (topic "
                  + tp.topic()
                  + " has "
                  + a.numPartitions()
                  + " partitions)"));
    }
    if (deleting.contains(tp.topic())) {
      return Optional.of(
          new Refusal(ErrorCode.INVALID_TOPIC, "Topic " + tp.topic() + " is queued for deletion"));
    }
    if (r.cancel()) {
      if (!r.replicas().isEmpty()) {
        return Optional.of(
            new Refusal(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "A cancel of " + tp + " must not name replicas"));
      }
      if (!a.isReassigning(tp.partition())) {
        return Optional.of(
            new Refusal(
                ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
                "No reassignment of " + tp + " is in progress"));
      }
      return Optional.empty();
    }
    List<Integer> target = r.replicas();
    if (target.isEmpty()) {
      return Optional.of(
          new Refusal(
              ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The replica list of " + tp + " is empty"));
    }
    Set<Integer> distinct = new HashSet<>();
    for (int b : target) {
      if (!distinct.add(b)) {
        return Optional.of(
            new Refusal(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "Duplicate replica " + b + " in the replicas of " + tp + ": " + target));
      }
    }
    for (int b : target) {
      if (!live.contains(b)) {
        return Optional.of(
            new Refusal(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "Broker "
                    + b
                    + " is not live (live brokers: "
                    + new TreeSet<>(live)
                        .stream().map(String::valueOf).collect(Collectors.joining(","))
                    + ")"));
      }
    }
    return Optional.empty();
  }

  /**
   * The replica sets of a reassignment step.
   *
   * @param replicas every replica the partition has after the step (targets first)
   * @param adding target replicas not in the original assignment
   * @param removing original replicas not in the target
   * @param dropped replicas the partition had before the step and no longer has (to stop and
   *     delete)
   */
  public record Move(
      List<Integer> replicas, List<Integer> adding, List<Integer> removing, List<Integer> dropped) {
    public Move {
      replicas = List.copyOf(replicas);
      adding = List.copyOf(adding);
      removing = List.copyOf(removing);
      dropped = List.copyOf(dropped);
    }

    public boolean isReassigning() {
      return !adding.isEmpty() || !removing.isEmpty();
    }
  }

  /**
   * Starts (or, when one is in progress, redirects) the reassignment of {@code partition} to {@code
   * target}. The original replicas of a partition already being moved stay its original replicas
   * (Kafka's rule); replicas it was adding that the new target does not name are dropped. Empty
   * when nothing changes (the target is the current assignment, in the same order).
   */
  public static Optional<Move> start(TopicAssignment a, int partition, List<Integer> target) {
    List<Integer> current = a.replicasOf(partition);
    List<Integer> original = a.originalReplicasOf(partition);
    List<Integer> adding = minus(target, original);
    List<Integer> removing = minus(original, target);
    List<Integer> replicas = new ArrayList<>(target);
    replicas.addAll(removing);
    if (replicas.equals(current)
        && adding.equals(a.addingOf(partition))
        && removing.equals(a.removingOf(partition))) {
      return Optional.empty();
    }
    return Optional.of(new Move(replicas, adding, removing, minus(current, replicas)));
  }

  /**
   * Cancels the reassignment of {@code partition}: back to the original replicas, in the order they
   * have in the current replica list (as in Kafka, the znode does not keep the original order: a
   * move of [1,2,3] to [2,3,4] cancelled gives [2,3,1]).
   */
  public static Move cancel(TopicAssignment a, int partition) {
    List<Integer> original = a.originalReplicasOf(partition);
    return new Move(original, List.of(), List.of(), minus(a.replicasOf(partition), original));
  }

  /** The finalization of {@code partition}'s reassignment: only the target replicas remain. */
  public static Move finish(TopicAssignment a, int partition) {
    List<Integer> target = a.targetReplicasOf(partition);
    return new Move(target, List.of(), List.of(), minus(a.replicasOf(partition), target));
  }

  /**
   * Refuses a step that would lose data or availability: one after which the partition, led now,
   * has no leader (no replica of the new assignment is an eligible ISR member), or after which
   * in-sync replicas that would be dropped (and their logs deleted) are the only ones left, e.g.
   * cancelling a move back to replicas that all failed after the new ones joined the ISR.
   */
  public static Optional<Refusal> unsafe(
      TopicPartition tp, Move m, LeaderAndIsr s, Set<Integer> eligible) {
    if (s == null) {
      return Optional.empty();
    }
    LeaderAndIsr after = stateAfter(s, m.replicas(), eligible, 0);
    if (!m.replicas().containsAll(after.isr())) {
      return Optional.of(
          new Refusal(
              ErrorCode.INVALID_REPLICA_ASSIGNMENT,
              "Partition "
                  + tp
                  + ": none of its in-sync replicas "
                  + s.isr()
                  + " is in the new assignment "
                  + m.replicas()
                  + "; dropping them would lose its records"));
    }
    if (s.hasLeader() && !after.hasLeader()) {
      return Optional.of(
          new Refusal(
              ErrorCode.INVALID_REPLICA_ASSIGNMENT,
              "Partition "
                  + tp
                  + ": no replica of the new assignment "
                  + m.replicas()
                  + " is a live in-sync replica (ISR "
                  + s.isr()
                  + "); the partition would have no leader"));
    }
    return Optional.empty();
  }

  /**
   * The partition state after a step that leaves {@code replicas}: the ISR loses the replicas no
   * longer assigned; the leader stays when it is still a replica, else the first eligible replica
   * in the (new) ISR is elected (no leader when there is none). The leader epoch is bumped only
   * when the leader changes; the partition epoch is the one the write is conditional on.
   */
  public static LeaderAndIsr stateAfter(
      LeaderAndIsr s, List<Integer> replicas, Set<Integer> eligible, int controllerEpoch) {
    List<Integer> isr = new ArrayList<>(s.isr());
    isr.retainAll(replicas);
    if (s.hasLeader() && replicas.contains(s.leader())) {
      return s.withIsr(isr, controllerEpoch);
    }
    int leader = LeaderAndIsr.NO_LEADER;
    for (int r : replicas) {
      if (eligible.contains(r) && isr.contains(r)) {
        leader = r;
        break;
      }
    }
    if (isr.isEmpty() && !s.isr().isEmpty()) {
      // As after a failure: keep the last member so the partition can come back (Kafka).
      isr = List.copyOf(s.isr());
    }
    return s.newLeaderAndIsr(leader, isr, controllerEpoch);
  }

  /**
   * The completing write of {@code partition}'s reassignment, or empty while not every target
   * replica is in the ISR or no target replica can lead. Leader: the first target replica when it
   * is eligible and in the ISR, else the current leader when it is a target and eligible, else the
   * first eligible target in the ISR. ISR = ISR - removing. The leader epoch is bumped only when
   * the leader changes.
   */
  public static Optional<LeaderAndIsr> complete(
      TopicAssignment a,
      int partition,
      LeaderAndIsr s,
      Set<Integer> eligible,
      int controllerEpoch) {
    if (!a.isReassigning(partition)) {
      return Optional.empty();
    }
    List<Integer> target = a.targetReplicasOf(partition);
    if (!s.isr().containsAll(target)) {
      return Optional.empty();
    }
    int leader = completionLeader(target, s, eligible);
    if (leader == LeaderAndIsr.NO_LEADER) {
      return Optional.empty();
    }
    List<Integer> isr = new ArrayList<>(s.isr());
    isr.removeAll(a.removingOf(partition));
    return Optional.of(
        leader == s.leader()
            ? s.withIsr(isr, controllerEpoch)
            : s.newLeaderAndIsr(leader, isr, controllerEpoch));
  }

  static int completionLeader(List<Integer> target, LeaderAndIsr s, Set<Integer> eligible) {
    int preferred = target.get(0);
    if (eligible.contains(preferred) && s.isr().contains(preferred)) {
      return preferred;
    }
    if (s.hasLeader() && target.contains(s.leader()) && eligible.contains(s.leader())) {
      return s.leader();
    }
    for (int r : target) {
      if (eligible.contains(r) && s.isr().contains(r)) {
        return r;
      }
    }
    return LeaderAndIsr.NO_LEADER;
  }

  /** {@code a} without the elements of {@code b}, in {@code a}'s order. */
  static List<Integer> minus(List<Integer> a, List<Integer> b) {
    List<Integer> out = new ArrayList<>(a);
    out.removeAll(b);
    return out;
  }

  /**
   * {@code list} (Kafka's throttled-replicas format {@code p:b,p:b} or {@code *}) without the
   * entries of {@code partition}; {@code "*"} is kept unchanged. Empty when nothing remains.
   */
  public static String withoutPartition(String list, int partition) {
    if (list == null) {
      return "";
    }
    String trimmed = list.trim();
    if (trimmed.equals("*")) {
      return trimmed;
    }
    List<String> kept = new ArrayList<>();
    for (String e : trimmed.split(",")) {
      String entry = e.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      String p = colon < 0 ? entry : entry.substring(0, colon).trim();
      if (!p.equals(Integer.toString(partition))) {
        kept.add(entry);
      }
    }
    return String.join(",", kept);
  }
}
