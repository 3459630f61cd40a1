package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.ReplicaAssignment;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicCreationPlannerTest {

  private static CreatableTopic topic(String name, int partitions, int rf) {
    return CreatableTopic.newBuilder()
        .setName(name)
        .setNumPartitions(partitions)
        .setReplicationFactor(rf)
        .build();
  }

  private static CreatableTopic manual(String name, List<List<Integer>> replicas) {
    CreatableTopic.Builder b =
        CreatableTopic.newBuilder().setName(name).setNumPartitions(-1).setReplicationFactor(-1);
    for (int p = 0; p < replicas.size(); p++) {
      b.addAssignments(
          ReplicaAssignment.newBuilder().setPartition(p).addAllBrokerIds(replicas.get(p)));
    }
    return b.build();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(topic("ok", 3, 1), List.of(1), ErrorCode.NONE, ""),
        Arguments.of(topic("ok", -1, -1), List.of(1), ErrorCode.NONE, ""),
        Arguments.of(
            topic("orders", 1, 3),
            List.of(1),
            ErrorCode.INVALID_REPLICATION_FACTOR,
            "Replication factor: 3 larger than available brokers: 1."),
        Arguments.of(
            topic("orders", 1, 0),
            List.of(1),
            ErrorCode.INVALID_REPLICATION_FACTOR,
            "Replication factor must be larger than 0."),
        Arguments.of(
            topic("orders", 0, 1),
            List.of(1),
            ErrorCode.INVALID_PARTITIONS,
            "Number of partitions was set to an invalid non-positive value."),
        Arguments.of(
            topic("bad name", 1, 1),
            List.of(1),
            ErrorCode.INVALID_TOPIC,
            "Topic name \"bad name\" is illegal, it contains a character other than ASCII"
                + " alphanumerics, '.', '_' and '-'"),
        Arguments.of(
            topic("..", 1, 1),
            List.of(1),
            ErrorCode.INVALID_TOPIC,
            "Topic name cannot be \".\" or \"..\""),
        Arguments.of(
            topic("existing", 1, 1),
            List.of(1),
            ErrorCode.TOPIC_ALREADY_EXISTS,
            "Topic 'existing' already exists."),
        Arguments.of(
            topic("going", 1, 1),
            List.of(1),
            ErrorCode.TOPIC_ALREADY_EXISTS,
            "Topic 'going' is marked for deletion."),
        Arguments.of(
            topic("a.b", 1, 1),
            List.of(1),
            ErrorCode.INVALID_TOPIC,
            "Topic 'a.b' collides with existing topics: a_b"),
        Arguments.of(
            topic("c", 1, 1).toBuilder().putConfigs("retention.ms", "abc").build(),
            List.of(1),
            ErrorCode.INVALID_CONFIG,
            "Invalid value abc for configuration retention.ms: Not a number of type LONG"),
        Arguments.of(
            topic("c", 1, 1).toBuilder().putConfigs("foo", "1").build(),
            List.of(1),
            ErrorCode.INVALID_CONFIG,
            "Unknown topic config name: foo"),
        Arguments.of(
            manual("m", List.of(List.of(1, 2), List.of(2, 1))), List.of(1, 2), ErrorCode.NONE, ""),
        Arguments.of(
            manual("m", List.of(List.of(1, 1))),
            List.of(1, 2),
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Duplicate replica assignment found: [1, 1]"),
        Arguments.of(
            manual("m", List.of(List.of(1, 2), List.of(1))),
            List.of(1, 2),
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "All partitions should have the same number of replicas"),
        Arguments.of(
            manual("m", List.of(List.of(7))),
            List.of(1, 2),
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            "Unknown broker(s) in the replica assignment: [7] (live brokers: [1, 2])"),
        Arguments.of(
            manual("m", List.of(List.of(1))).toBuilder().setNumPartitions(1).build(),
            List.of(1, 2),
            ErrorCode.INVALID_REQUEST,
            "Both numPartitions or replicationFactor and replicasAssignments were set. Both"
                + " cannot be used at the same time."));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void plan(CreatableTopic request, List<Integer> live, ErrorCode error, String message) {
    TopicCreationPlanner.Result r =
        TopicCreationPlanner.plan(
            request,
            Set.of("existing", "going", "a_b"),
            Set.of("going"),
            live,
            2,
            1,
            UUID.randomUUID(),
            new Random(0));
    assertEquals(error, r.error(), r.message());
    assertEquals(message, r.message());
    if (r.isOk()) {
      assertEquals(request.getName(), r.assignment().name());
      if (request.getAssignmentsCount() > 0) {
        assertEquals(request.getAssignmentsCount(), r.assignment().numPartitions());
      } else if (request.getNumPartitions() == -1) {
        assertEquals(2, r.assignment().numPartitions());
      }
      assertEquals(Map.of(), r.configs());
    }
  }
}
