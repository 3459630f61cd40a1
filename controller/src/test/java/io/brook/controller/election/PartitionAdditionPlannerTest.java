package io.brook.controller.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.metadata.TopicAssignment;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.ErrorCode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PartitionAdditionPlannerTest {
  private static final TopicAssignment T =
      new TopicAssignment(
          "t", UUID.randomUUID(), new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 3))));

  private static Map<Integer, String> noRacks(int... ids) {
    Map<Integer, String> m = new TreeMap<>();
    for (int id : ids) {
      m.put(id, null);
    }
    return m;
  }

  @Test
  void newPartitionsContinueThePlacement() {
    var r =
        PartitionAdditionPlanner.plan(
            CreatePartitionsTopic.newBuilder().setName("t").setCount(5).build(),
            T,
            false,
            noRacks(1, 2, 3),
            new Random(0));
    assertEquals(ErrorCode.NONE, r.error(), r.message());
    assertEquals(Set.of(2, 3, 4), r.added().keySet());
    // partition 0 starts at broker 1 (index 0): partition p's leader is broker (p % 3) + 1
    assertEquals(3, r.added().get(2).get(0));
    assertEquals(1, r.added().get(3).get(0));
    assertEquals(2, r.added().get(4).get(0));
    r.added().values().forEach(rs -> assertEquals(2, new HashSet<>(rs).size()));
  }

  @Test
  void rackAwareNewPartitionsUseDistinctRacks() {
    Map<Integer, String> racks = new TreeMap<>(Map.of(1, "a", 2, "a", 3, "b", 4, "b"));
    var r =
        PartitionAdditionPlanner.plan(
            CreatePartitionsTopic.newBuilder().setName("t").setCount(10).build(),
            T,
            false,
            racks,
            new Random(0));
    assertEquals(ErrorCode.NONE, r.error(), r.message());
    r.added()
        .values()
        .forEach(rs -> assertEquals(2, new HashSet<>(rs.stream().map(racks::get).toList()).size()));
  }

  @Test
  void mixedRacksAreRefused() {
    Map<Integer, String> racks = new TreeMap<>();
    racks.put(1, "a");
    racks.put(2, null);
    var r =
        PartitionAdditionPlanner.plan(
            CreatePartitionsTopic.newBuilder().setName("t").setCount(3).build(),
            T,
            false,
            racks,
            new Random(0));
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r.error());
    assertEquals(ReplicaPlacement.NOT_ALL_RACKS, r.message());
  }

  @Test
  void queuedForDeletion() {
    var r =
        PartitionAdditionPlanner.plan(
            CreatePartitionsTopic.newBuilder().setName("t").setCount(3).build(),
            T,
            true,
            noRacks(1, 2, 3),
            new Random(0));
    assertEquals(ErrorCode.INVALID_TOPIC, r.error());
    assertEquals("The topic is queued for deletion.", r.message());
  }
}
