package io.brook.controller.election;

import io.brook.metadata.TopicAssignment;
import io.brook.protocol.v1.CreatePartitionsAssignment;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Validates a request to add partitions to a topic and places the new partitions' replicas: a pure
 * function of the request and the cluster state, with Kafka's checks and messages ({@code
 * ZkAdminManager.createPartitions}, {@code AdminZkClient.createPartitionsMetadata}). Stateless.
 */
public final class PartitionAdditionPlanner {
  private PartitionAdditionPlanner() {}

  /** Either the new partitions' replicas (partition id -> replicas) or an error. */
  public record Result(SortedMap<Integer, List<Integer>> added, ErrorCode error, String message) {
    public boolean isOk() {
      return error == ErrorCode.NONE;
    }

    static Result fail(ErrorCode error, String message) {
      return new Result(new TreeMap<>(), error, message);
    }
  }

  /**
   * @param existing the topic's current assignment, or null when the topic does not exist
   * @param queuedForDeletion whether the topic is being deleted
   * @param brokerRacks the brokers new replicas may go to (broker id -> broker.rack or null)
   * @param random placement randomness (unused when the start index is fixed, as here)
   */
  public static Result plan(
      CreatePartitionsTopic request,
      TopicAssignment existing,
      boolean queuedForDeletion,
      Map<Integer, String> brokerRacks,
      Random random) {
    String topic = request.getName();
    if (existing == null) {
      return Result.fail(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + topic + "' does not exist.");
    }
    if (queuedForDeletion) {
      return Result.fail(ErrorCode.INVALID_TOPIC, "The topic is queued for deletion.");
    }
    int oldCount = existing.numPartitions();
    int newCount = request.getCount();
    int increment = newCount - oldCount;
    if (increment < 0) {
      return Result.fail(
          ErrorCode.INVALID_PARTITIONS,
          "Topic currently has "
              + oldCount
              + " partitions, which is higher than the requested "
              + newCount
              + ".");
    }
    if (increment == 0) {
      return Result.fail(
          ErrorCode.INVALID_PARTITIONS, "Topic already has " + oldCount + " partitions.");
    }
    int rf = existing.replicationFactor();
    SortedMap<Integer, List<Integer>> added = new TreeMap<>();
    if (request.getAssignmentsCount() > 0) {
      TreeSet<Integer> unknown = new TreeSet<>();
      for (CreatePartitionsAssignment a : request.getAssignmentsList()) {
        for (int b : a.getBrokerIdsList()) {
          if (!brokerRacks.containsKey(b)) {
            unknown.add(b);
          }
        }
      }
      if (!unknown.isEmpty()) {
        StringJoiner j = new StringJoiner(", ");
        unknown.forEach(b -> j.add(Integer.toString(b)));
        return Result.fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Unknown broker(s) in replica assignment: " + j + ".");
      }
      if (request.getAssignmentsCount() != increment) {
        return Result.fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Increasing the number of partitions by "
                + increment
                + " but "
                + request.getAssignmentsCount()
                + " assignments provided.");
      }
      for (int i = 0; i < increment; i++) {
        added.put(oldCount + i, List.copyOf(request.getAssignments(i).getBrokerIdsList()));
      }
      Result invalid = validate(added, rf);
      if (invalid != null) {
        return invalid;
      }
    } else {
      List<Integer> sorted = new ArrayList<>(brokerRacks.keySet());
      sorted.sort(null);
      int firstOfPartition0 = existing.replicasOf(0).isEmpty() ? 0 : existing.replicasOf(0).get(0);
      int startIndex = 0;
      for (int i = 0; i < sorted.size(); i++) {
        if (sorted.get(i) >= firstOfPartition0) {
          startIndex = i;
          break;
        }
      }
      try {
        added.putAll(
            ReplicaPlacement.assign(brokerRacks, increment, rf, startIndex, oldCount, random));
      } catch (IllegalArgumentException e) {
        return Result.fail(
            e.getMessage().startsWith("Replication factor")
                ? ErrorCode.INVALID_REPLICATION_FACTOR
                : ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            e.getMessage());
      }
    }
    return new Result(added, ErrorCode.NONE, "");
  }

  /** Kafka's AdminZkClient.validateReplicaAssignment; null when valid. */
  private static Result validate(SortedMap<Integer, List<Integer>> added, int expectedRf) {
    List<String> empty = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    List<Integer> badPartitions = new ArrayList<>();
    List<Integer> badRfs = new ArrayList<>();
    for (var e : added.entrySet()) {
      List<Integer> rs = e.getValue();
      if (rs.isEmpty()) {
        empty.add(Integer.toString(e.getKey()));
      }
      if (new HashSet<>(rs).size() != rs.size()) {
        StringJoiner j = new StringJoiner(",");
        rs.forEach(b -> j.add(Integer.toString(b)));
        duplicates.add(e.getKey() + " -> " + j);
      }
      if (rs.size() != expectedRf) {
        badPartitions.add(e.getKey());
        badRfs.add(rs.size());
      }
    }
    if (!empty.isEmpty()) {
      return Result.fail(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          "Cannot have replication factor of 0 for partition id " + String.join(", ", empty) + ".");
    }
    if (!duplicates.isEmpty()) {
      return Result.fail(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          "Duplicate brokers not allowed in replica assignment: " + String.join(", ", duplicates));
    }
    if (!badPartitions.isEmpty()) {
      return Result.fail(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          "Inconsistent replication factor between partitions, partition 0 has "
              + expectedRf
              + " while partitions "
              + badPartitions
              + " have replication factors "
              + badRfs
              + ", respectively.");
    }
    return null;
  }
}
