package io.brook.metadata.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.BrokerInfo;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ZkPathsTest {

  @Test
  void paths() {
    assertEquals("/brokers/ids/3", ZkPaths.brokerPath(3));
    assertEquals("/brokers/topics/orders", ZkPaths.topicPath("orders"));
    assertEquals(
        "/brokers/topics/orders/partitions/2/state", ZkPaths.partitionStatePath("orders", 2));
    assertEquals("/config/topics/orders", ZkPaths.topicConfigPath("orders"));
    assertEquals("/admin/delete_topics/orders", ZkPaths.deleteTopicPath("orders"));
  }

  @Test
  void brokerRoundTrip() {
    BrokerInfo b = new BrokerInfo(1, "10.0.0.1", 9092, "rack-a", BrokerInfo.NO_EPOCH);
    byte[] data = ZkPaths.encodeBroker(b, 123L);
    assertTrue(new String(data, StandardCharsets.UTF_8).contains("\"version\":1"));
    assertEquals(b.withEpoch(77), ZkPaths.decodeBroker(1, data, 77));
    BrokerInfo noRack = BrokerInfo.of(2, "h", 1, null);
    assertEquals(noRack.withEpoch(5), ZkPaths.decodeBroker(2, ZkPaths.encodeBroker(noRack, 0), 5));
  }

  @Test
  void topicRoundTrip() {
    TreeMap<Integer, List<Integer>> r = new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 3)));
    TopicAssignment a = new TopicAssignment("t", UUID.randomUUID(), r);
    byte[] data = ZkPaths.encodeTopic(a);
    assertTrue(ZkPaths.hasTopicId(data));
    assertEquals(a, ZkPaths.decodeTopic("t", data, UUID.randomUUID()));
  }

  @Test
  void operatorTopicWithoutIdGetsFallback() {
    byte[] data = "{\"version\":1,\"partitions\":{\"0\":[1]}}".getBytes(StandardCharsets.UTF_8);
    assertFalse(ZkPaths.hasTopicId(data));
    UUID id = UUID.randomUUID();
    TopicAssignment a = ZkPaths.decodeTopic("t", data, id);
    assertEquals(id, a.topicId());
    assertEquals(List.of(1), a.replicasOf(0));
  }

  @Test
  void partitionStateRoundTrip() {
    LeaderAndIsr s = new LeaderAndIsr(1, 3, List.of(1, 2), 4, 9);
    assertEquals(s, ZkPaths.decodePartitionState(ZkPaths.encodePartitionState(s), 9));
    LeaderAndIsr offline = new LeaderAndIsr(-1, 0, List.of(2), 1, 0);
    assertEquals(offline, ZkPaths.decodePartitionState(ZkPaths.encodePartitionState(offline), 0));
  }

  @Test
  void otherRoundTrips() {
    assertEquals(
        Map.of("retention.ms", "1"),
        ZkPaths.decodeConfig(ZkPaths.encodeConfig(Map.of("retention.ms", "1"))));
    assertEquals(Map.of(), ZkPaths.decodeConfig(ZkPaths.encodeConfig(Map.of())));
    assertEquals(
        new ZkPaths.ControllerRegistration(3, 7),
        ZkPaths.decodeController(ZkPaths.encodeController(3, 7, 0)));
    assertEquals(12, ZkPaths.decodeControllerEpoch(ZkPaths.encodeControllerEpoch(12)));
    assertEquals("abc", ZkPaths.decodeClusterId(ZkPaths.encodeClusterId("abc")));
    assertTrue(
        new String(ZkPaths.encodeDeleteTopicMarker(), StandardCharsets.UTF_8)
            .contains("\"version\""));
  }

  @Test
  void garbageIsRejectedClearly() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ZkPaths.decodePartitionState("nope".getBytes(StandardCharsets.UTF_8), 0));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
  }

  @Test
  void producerIdBlockRoundTripAndKafkaStrings() {
    var b = new ZkPaths.ProducerIdBlock(2, 1000, 1999);
    byte[] data = ZkPaths.encodeProducerIdBlock(b);
    assertEquals(
        "{\"version\":1,\"broker\":2,\"block_start\":1000,\"block_end\":1999}",
        new String(data, StandardCharsets.UTF_8));
    assertEquals(b, ZkPaths.decodeProducerIdBlock(data));
    byte[] kafka =
        "{\"version\":1,\"broker\":0,\"block_start\":\"0\",\"block_end\":\"999\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertEquals(new ZkPaths.ProducerIdBlock(0, 0, 999), ZkPaths.decodeProducerIdBlock(kafka));
  }
}
