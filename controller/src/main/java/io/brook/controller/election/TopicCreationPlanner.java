package io.brook.controller.election;

import io.brook.common.Topic;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.config.TopicConfigs;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.ReplicaAssignment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Validates a topic creation request and decides its replica assignment: a pure function of the
 * request and the cluster state (Kafka's {@code ZkAdminManager.createTopics} checks). Stateless.
 */
public final class TopicCreationPlanner {
  private TopicCreationPlanner() {}

  /** Either a plan (assignment + normalized config overrides) or an error. */
  public record Result(
      TopicAssignment assignment, Map<String, String> configs, ErrorCode error, String message) {
    public boolean isOk() {
      return error == ErrorCode.NONE;
    }

    static Result fail(ErrorCode error, String message) {
      return new Result(null, Map.of(), error, message);
    }
  }

  /**
   * @param existingTopics topics that exist (including those being deleted)
   * @param beingDeleted topics marked for deletion
   * @param liveBrokers live broker ids
   * @param defaultPartitions num.partitions, used when the request says -1
   * @param defaultReplicationFactor default.replication.factor, used when the request says -1
   * @param topicId the id to give the new topic
   * @param random placement randomness (injected, seeded in tests)
   */
  public static Result plan(
      CreatableTopic request,
      Collection<String> existingTopics,
      Collection<String> beingDeleted,
      Collection<Integer> liveBrokers,
      int defaultPartitions,
      int defaultReplicationFactor,
      UUID topicId,
      Random random) {
    Map<Integer, String> racks = new TreeMap<>();
    liveBrokers.forEach(b -> racks.put(b, null));
    return plan(
        request,
        existingTopics,
        beingDeleted,
        racks,
        defaultPartitions,
        defaultReplicationFactor,
        topicId,
        random);
  }

  /**
   * As {@link #plan(CreatableTopic, Collection, Collection, Collection, int, int, UUID, Random)},
   * with the live brokers' racks (broker id -> broker.rack, null when unset) for rack-aware
   * placement.
   */
  public static Result plan(
      CreatableTopic request,
      Collection<String> existingTopics,
      Collection<String> beingDeleted,
      Map<Integer, String> brokerRacks,
      int defaultPartitions,
      int defaultReplicationFactor,
      UUID topicId,
      Random random) {
    Collection<Integer> liveBrokers = brokerRacks.keySet();
    String name = request.getName();
    var invalid = Topic.invalidReason(name);
    if (invalid.isPresent()) {
      return Result.fail(ErrorCode.INVALID_TOPIC, invalid.get());
    }
    if (beingDeleted.contains(name)) {
      return Result.fail(
          ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' is marked for deletion.");
    }
    if (existingTopics.contains(name)) {
      return Result.fail(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
    }
    String collisionKey = name.replace('.', '_');
    List<String> collisions = new ArrayList<>();
    for (String t : existingTopics) {
      if (t.replace('.', '_').equals(collisionKey)) {
        collisions.add(t);
      }
    }
    if (!collisions.isEmpty()) {
      return Result.fail(
          ErrorCode.INVALID_TOPIC,
          "Topic '" + name + "' collides with existing topics: " + String.join(", ", collisions));
    }
    List<String> configErrors = TopicConfigs.validate(request.getConfigsMap());
    if (!configErrors.isEmpty()) {
      return Result.fail(ErrorCode.INVALID_CONFIG, String.join("; ", configErrors));
    }
    Map<String, String> configs = TopicConfigs.normalize(request.getConfigsMap());

    SortedMap<Integer, List<Integer>> replicas;
    if (request.getAssignmentsCount() > 0) {
      if (request.getNumPartitions() != -1 || request.getReplicationFactor() != -1) {
        return Result.fail(
            ErrorCode.INVALID_REQUEST,
            "Both numPartitions or replicationFactor and replicasAssignments were set. "
                + "Both cannot be used at the same time.");
      }
      Result manual = checkManual(request.getAssignmentsList(), liveBrokers);
      if (!manual.isOk()) {
        return manual;
      }
      replicas = manual.assignment().replicas();
    } else {
      int partitions =
          request.getNumPartitions() == -1 ? defaultPartitions : request.getNumPartitions();
      int rf =
          request.getReplicationFactor() == -1
              ? defaultReplicationFactor
              : request.getReplicationFactor();
      if (partitions < 1) {
        return Result.fail(
            ErrorCode.INVALID_PARTITIONS,
            "Number of partitions was set to an invalid non-positive value.");
      }
      if (rf < 1) {
        return Result.fail(
            ErrorCode.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
      }
      if (rf > liveBrokers.size()) {
        return Result.fail(
            ErrorCode.INVALID_REPLICATION_FACTOR,
            "Replication factor: "
                + rf
                + " larger than available brokers: "
                + liveBrokers.size()
                + ".");
      }
      try {
        replicas = ReplicaPlacement.assign(brokerRacks, partitions, rf, -1, -1, random);
      } catch (IllegalArgumentException e) {
        return Result.fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, e.getMessage());
      }
    }
    return new Result(new TopicAssignment(name, topicId, replicas), configs, ErrorCode.NONE, "");
  }

  static Result checkManual(List<ReplicaAssignment> assignments, Collection<Integer> liveBrokers) {
    SortedMap<Integer, List<Integer>> replicas = new TreeMap<>();
    Set<Integer> unknown = new TreeSet<>();
    int size = -1;
    for (ReplicaAssignment a : assignments) {
      List<Integer> rs = a.getBrokerIdsList();
      if (rs.isEmpty()) {
        return Result.fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Partition " + a.getPartition() + " has no replicas in the assignment.");
      }
      if (new HashSet<>(rs).size() != rs.size()) {
        return Result.fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT, "Duplicate replica assignment found: " + rs);
      }
      if (size != -1 && rs.size() != size) {
        return Result.fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "All partitions should have the same number of replicas");
      }
      size = rs.size();
      if (replicas.put(a.getPartition(), rs) != null) {
        return Result.fail(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Partition " + a.getPartition() + " appears twice in the assignment.");
      }
      for (int b : rs) {
        if (!liveBrokers.contains(b)) {
          unknown.add(b);
        }
      }
    }
    if (replicas.firstKey() != 0 || replicas.lastKey() != replicas.size() - 1) {
      return Result.fail(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          "Partitions should be a consecutive 0-based integer sequence");
    }
    if (!unknown.isEmpty()) {
      return Result.fail(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          "Unknown broker(s) in the replica assignment: "
              + unknown
              + " (live brokers: "
              + new TreeSet<>(liveBrokers)
              + ")");
    }
    return new Result(
        new TopicAssignment("-", new UUID(0, 0), replicas), Map.of(), ErrorCode.NONE, "");
  }
}
