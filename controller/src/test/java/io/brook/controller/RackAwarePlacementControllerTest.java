package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.common.Time;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Topic creation and partition addition place replicas over racks (broker.rack). */
class RackAwarePlacementControllerTest {
  private ZkTestSupport zk;
  private MetadataStore store;

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkTestSupport();
    store = new MetadataStore(zk.client());
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  private int registered() {
    try {
      return store.client().getChildren().forPath("/brokers/ids").size();
    } catch (Exception e) {
      return 0;
    }
  }

  private Controller controller(int brokers) throws Exception {
    waitFor(() -> registered() == brokers, brokers + " brokers registered");
    ControllerConfig cfg =
        ControllerConfig.fromProperties(
            1, Map.of("request.timeout.ms", "5000", "retry.backoff.ms", "50"));
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000, 50, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build());
    Controller c =
        zk.closeLater(new Controller(cfg, zk.client(), channels, Time.SYSTEM, new Random(7)));
    c.start();
    waitFor(c::isActive, "controller active");
    return c;
  }

  private static CreatableTopicResult create(Controller c, String name, int partitions, int rf)
      throws Exception {
    return c.createTopics(
            CreateTopicsRequest.newBuilder()
                .addTopics(
                    CreatableTopic.newBuilder()
                        .setName(name)
                        .setNumPartitions(partitions)
                        .setReplicationFactor(rf))
                .setTimeoutMs(10_000)
                .build())
        .get(30, TimeUnit.SECONDS)
        .getTopics(0);
  }

  @Test
  void replicasOfEveryPartitionSitOnDistinctRacks() throws Exception {
    Map<Integer, String> racks = Map.of(1, "a", 2, "a", 3, "b", 4, "b", 5, "c", 6, "c");
    for (var e : racks.entrySet()) {
      zk.closeLater(new FakeBroker(e.getKey(), zk.client(), e.getValue()));
    }
    Controller c = controller(6);
    CreatableTopicResult r = create(c, "racked", 12, 3);
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    TopicAssignment a = store.topic("racked").orElseThrow().value();
    Map<Integer, Integer> leaders = new HashMap<>();
    for (List<Integer> rs : a.replicas().values()) {
      Set<String> rr = new HashSet<>();
      rs.forEach(b -> rr.add(racks.get(b)));
      assertEquals(3, rr.size(), "racks of " + rs);
      leaders.merge(rs.get(0), 1, Integer::sum);
    }
    assertEquals(Map.of(1, 2, 2, 2, 3, 2, 4, 2, 5, 2, 6, 2), leaders);

    var added =
        c.createPartitions(
                CreatePartitionsRequest.newBuilder()
                    .addTopics(CreatePartitionsTopic.newBuilder().setName("racked").setCount(18))
                    .setTimeoutMs(10_000)
                    .build())
            .get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NONE, added.getResults(0).getError());
    TopicAssignment after = store.topic("racked").orElseThrow().value();
    assertEquals(18, after.numPartitions());
    for (int p = 12; p < 18; p++) {
      Set<String> rr = new HashSet<>();
      after.replicasOf(p).forEach(b -> rr.add(racks.get(b)));
      assertEquals(3, rr.size(), "racks of partition " + p + ": " + after.replicasOf(p));
    }
  }

  @Test
  void mixedRackInformationIsRefused() throws Exception {
    zk.closeLater(new FakeBroker(1, zk.client(), "a"));
    zk.closeLater(new FakeBroker(2, zk.client(), "b"));
    zk.closeLater(new FakeBroker(3, zk.client(), (String) null));
    Controller c = controller(3);
    CreatableTopicResult r = create(c, "mixed", 3, 2);
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r.getError());
    assertEquals(
        "Not all brokers have rack information for replica rack aware assignment.",
        r.getErrorMessage());
    assertEquals(true, store.topic("mixed").isEmpty());
  }
}
