package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatePartitionsAssignment;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.CreatePartitionsTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CreatePartitions in the controller, against a real (curator-test) ZooKeeper and fake brokers. */
class CreatePartitionsControllerTest {
  private ZkTestSupport zk;
  private MetadataStore store;
  private FakeBroker b1;
  private FakeBroker b2;
  private FakeBroker b3;
  private Controller c;

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkTestSupport();
    store = new MetadataStore(zk.client());
    b1 = zk.closeLater(new FakeBroker(1, zk.client()));
    b2 = zk.closeLater(new FakeBroker(2, zk.client()));
    b3 = zk.closeLater(new FakeBroker(3, zk.client()));
    ControllerConfig cfg =
        ControllerConfig.fromProperties(
            1, Map.of("request.timeout.ms", "5000", "retry.backoff.ms", "50"));
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000, 50, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build());
    c = zk.closeLater(new Controller(cfg, zk.client(), channels, Time.SYSTEM, new Random(1)));
    c.start();
    waitFor(c::isActive, "controller active");
    var created =
        c.createTopics(
                CreateTopicsRequest.newBuilder()
                    .addTopics(
                        CreatableTopic.newBuilder()
                            .setName("t")
                            .setNumPartitions(2)
                            .setReplicationFactor(2))
                    .setTimeoutMs(10_000)
                    .build())
            .get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NONE, created.getTopics(0).getError());
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  private CreatePartitionsTopicResult add(CreatePartitionsTopic t) throws Exception {
    return c.createPartitions(
            CreatePartitionsRequest.newBuilder().addTopics(t).setTimeoutMs(10_000).build())
        .get(30, TimeUnit.SECONDS)
        .getResults(0);
  }

  private static CreatePartitionsTopic to(String topic, int count) {
    return CreatePartitionsTopic.newBuilder().setName(topic).setCount(count).build();
  }

  private static boolean told(FakeBroker b, String topic, int partition) {
    for (LeaderAndIsrRequest r : b.leaderAndIsr) {
      for (var t : r.getTopicsList()) {
        if (t.getTopic().equals(topic)
            && t.getPartitionsList().stream().anyMatch(p -> p.getPartition() == partition)) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void addsPartitionsWithLeadersAndTellsTheReplicas() throws Exception {
    TopicAssignment before = store.topic("t").orElseThrow().value();
    CreatePartitionsTopicResult r = add(to("t", 5));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());

    TopicAssignment after = store.topic("t").orElseThrow().value();
    assertEquals(5, after.numPartitions());
    assertEquals(before.topicId(), after.topicId());
    assertEquals(before.replicasOf(0), after.replicasOf(0));
    assertEquals(before.replicasOf(1), after.replicasOf(1));
    for (int p = 2; p < 5; p++) {
      List<Integer> rs = after.replicasOf(p);
      assertEquals(2, rs.size());
      assertEquals(2, new HashSet<>(rs).size());
      LeaderAndIsr s = store.partitionState("t", p).orElseThrow();
      assertEquals(rs.get(0), s.leader());
      assertEquals(rs, s.isr());
      assertEquals(0, s.leaderEpoch());
      for (int b : rs) {
        FakeBroker fb = List.of(b1, b2, b3).get(b - 1);
        int partition = p;
        waitFor(() -> told(fb, "t", partition), "LeaderAndIsr of t-" + p + " to broker " + b);
      }
    }
    // Every broker learns the new partition count.
    for (FakeBroker fb : List.of(b1, b2, b3)) {
      waitFor(
          () ->
              fb.updateMetadata.stream()
                  .flatMap(u -> u.getTopicsList().stream())
                  .anyMatch(t -> t.getTopic().equals("t") && t.getPartitionsCount() == 5),
          "UpdateMetadata with 5 partitions to broker " + fb.id);
    }
  }

  @Test
  void refusalsChangeNothing() throws Exception {
    TopicAssignment before = store.topic("t").orElseThrow().value();

    CreatePartitionsTopicResult lower = add(to("t", 1));
    assertEquals(ErrorCode.INVALID_PARTITIONS, lower.getError());
    assertEquals(
        "Topic currently has 2 partitions, which is higher than the requested 1.",
        lower.getErrorMessage());

    CreatePartitionsTopicResult same = add(to("t", 2));
    assertEquals(ErrorCode.INVALID_PARTITIONS, same.getError());
    assertEquals("Topic already has 2 partitions.", same.getErrorMessage());

    CreatePartitionsTopicResult unknown = add(to("nope", 3));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknown.getError());
    assertEquals("The topic 'nope' does not exist.", unknown.getErrorMessage());

    CreatePartitionsTopicResult badBroker =
        add(
            CreatePartitionsTopic.newBuilder()
                .setName("t")
                .setCount(3)
                .addAssignments(
                    CreatePartitionsAssignment.newBuilder().addBrokerIds(1).addBrokerIds(9))
                .build());
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, badBroker.getError());
    assertEquals("Unknown broker(s) in replica assignment: 9.", badBroker.getErrorMessage());

    CreatePartitionsTopicResult tooFew =
        add(
            CreatePartitionsTopic.newBuilder()
                .setName("t")
                .setCount(4)
                .addAssignments(
                    CreatePartitionsAssignment.newBuilder().addBrokerIds(1).addBrokerIds(2))
                .build());
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, tooFew.getError());
    assertEquals(
        "Increasing the number of partitions by 2 but 1 assignments provided.",
        tooFew.getErrorMessage());

    CreatePartitionsTopicResult badRf =
        add(
            CreatePartitionsTopic.newBuilder()
                .setName("t")
                .setCount(3)
                .addAssignments(CreatePartitionsAssignment.newBuilder().addBrokerIds(3))
                .build());
    assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, badRf.getError());

    var validateOnly =
        c.createPartitions(
                CreatePartitionsRequest.newBuilder()
                    .addTopics(to("t", 4))
                    .setValidateOnly(true)
                    .build())
            .get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NONE, validateOnly.getResults(0).getError());

    assertEquals(before, store.topic("t").orElseThrow().value());
    assertTrue(store.partitionState("t", 2).isEmpty());
  }

  @Test
  void manualAssignmentIsUsed() throws Exception {
    CreatePartitionsTopicResult r =
        add(
            CreatePartitionsTopic.newBuilder()
                .setName("t")
                .setCount(3)
                .addAssignments(
                    CreatePartitionsAssignment.newBuilder().addBrokerIds(3).addBrokerIds(1))
                .build());
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(List.of(3, 1), store.topic("t").orElseThrow().value().replicasOf(2));
    assertEquals(3, store.partitionState("t", 2).orElseThrow().leader());
  }

  @Test
  void topicBeingDeletedIsRefused() throws Exception {
    // b1 never acknowledges? FakeBrokers answer NONE, so deletion may finish: either refusal is
    // acceptable, but never a success.
    c.deleteTopics(DeleteTopicsRequest.newBuilder().addTopicNames("t").setTimeoutMs(1).build());
    CreatePartitionsTopicResult r = add(to("t", 3));
    assertTrue(
        r.getError() == ErrorCode.INVALID_TOPIC
            || r.getError() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        r.getError() + " " + r.getErrorMessage());
  }
}
