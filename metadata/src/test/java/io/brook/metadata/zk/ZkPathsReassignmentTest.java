package io.brook.metadata.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brook.metadata.TopicAssignment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The topic znode's adding / removing replicas and the /admin/reassign_partitions codec. */
class ZkPathsReassignmentTest {
  private static final UUID ID = UUID.fromString("5b3c6a2e-0d3e-4c9a-9b55-4f3f0e7e2a10");

  private static TreeMap<Integer, List<Integer>> map(Object... kv) {
    TreeMap<Integer, List<Integer>> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<Integer> v = (List<Integer>) kv[i + 1];
      m.put((Integer) kv[i], v);
    }
    return m;
  }

  @Test
  void topicWithReassignmentRoundTripsInKafkasLayout() throws Exception {
    TopicAssignment a =
        new TopicAssignment(
            "t",
            ID,
            map(0, List.of(2, 3, 4, 1), 1, List.of(1, 2, 3)),
            map(0, List.of(4)),
            map(0, List.of(1)));
    byte[] data = ZkPaths.encodeTopic(a);
    JsonNode n = new ObjectMapper().readTree(data);
    assertEquals("[2,3,4,1]", n.path("partitions").path("0").toString());
    assertEquals("{\"0\":[4]}", n.path("adding_replicas").toString());
    assertEquals("{\"0\":[1]}", n.path("removing_replicas").toString());
    TopicAssignment back = ZkPaths.decodeTopic("t", data, UUID.randomUUID());
    assertEquals(a, back);
    assertTrue(back.isReassigning(0));
    assertFalse(back.isReassigning(1));
    assertEquals(List.of(2, 3, 4), back.targetReplicasOf(0));
    assertEquals(List.of(2, 3, 1), back.originalReplicasOf(0));
    assertEquals(List.of(1, 2, 3), back.targetReplicasOf(1));
  }

  @Test
  void topicWithoutReassignmentKeepsEmptyObjectsAndTheThreeArgumentConstructor() {
    TopicAssignment a = new TopicAssignment("t", ID, map(0, List.of(1, 2)));
    String json = new String(ZkPaths.encodeTopic(a), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"adding_replicas\":{}"), json);
    assertTrue(json.contains("\"removing_replicas\":{}"), json);
    assertFalse(a.isReassigning());
    assertEquals(a, ZkPaths.decodeTopic("t", json.getBytes(StandardCharsets.UTF_8), ID));
  }

  @Test
  void topicWrittenByAnOperatorWithoutAddingOrRemovingDecodes() {
    byte[] data = "{\"version\":1,\"partitions\":{\"0\":[1,2]}}".getBytes(StandardCharsets.UTF_8);
    TopicAssignment a = ZkPaths.decodeTopic("t", data, ID);
    assertEquals(ID, a.topicId());
    assertFalse(a.isReassigning());
    assertEquals(List.of(1, 2), a.replicasOf(0));
  }

  @Test
  void emptyAddingListsAreDropped() {
    TopicAssignment a =
        new TopicAssignment("t", ID, map(0, List.of(1, 2)), map(0, List.of()), map());
    assertFalse(a.isReassigning(0));
    TopicAssignment moved = a.withPartition(0, List.of(2, 3, 1), List.of(3), List.of(1));
    assertTrue(moved.isReassigning(0));
    TopicAssignment done = moved.withPartition(0, List.of(2, 3), List.of(), List.of());
    assertFalse(done.isReassigning());
    assertEquals(new TopicAssignment("t", ID, map(0, List.of(2, 3))), done);
  }

  @Test
  void reassignPartitionsRoundTripAndKafkaInput() {
    List<ZkPaths.ReassignmentRequest> reqs =
        List.of(
            new ZkPaths.ReassignmentRequest("t", 0, List.of(2, 3, 4)),
            new ZkPaths.ReassignmentRequest("u", 1, List.of(1)));
    assertEquals(reqs, ZkPaths.decodeReassignPartitions(ZkPaths.encodeReassignPartitions(reqs)));
    byte[] kafka =
        ("{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,"
                + "\"replicas\":[2,3,4],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}")
            .getBytes(StandardCharsets.UTF_8);
    assertEquals(
        List.of(new ZkPaths.ReassignmentRequest("t", 0, List.of(2, 3, 4))),
        ZkPaths.decodeReassignPartitions(kafka));
    assertThrows(
        IllegalArgumentException.class,
        () -> ZkPaths.decodeReassignPartitions("{\"version\":1}".getBytes(StandardCharsets.UTF_8)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ZkPaths.decodeReassignPartitions(
                "{\"partitions\":[{\"topic\":\"t\"}]}".getBytes(StandardCharsets.UTF_8)));
  }
}
