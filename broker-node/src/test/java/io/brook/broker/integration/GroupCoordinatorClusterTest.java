package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.group.OffsetsTopicStore;
import io.brook.broker.server.BrokerServer;
import io.brook.broker.server.MetadataCache;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribedGroup;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.FindCoordinatorResponse;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitPartitionResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetCommitTopicResponse;
import io.brook.protocol.v1.OffsetFetchPartitionResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopic;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.TopicMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real brokers on a real ZooKeeper, driven with raw gRPC group calls: FindCoordinator creates
 * {@code __consumer_offsets} (compacted, replicated) and every broker then names the same
 * coordinator; commits are replicated and fetched back; when the coordinator broker dies, the new
 * leader of the group's partition loads the committed offsets; clients may not produce to or delete
 * the internal topic.
 *
 * <p>The tests that need a working group coordinator are skipped (with a message) while the broker
 * runs the coordinator skeleton of the contracts.
 */
class GroupCoordinatorClusterTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int OFFSETS_PARTITIONS = 3;

  @TempDir Path dir;
  TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("offsets.topic.num.partitions", String.valueOf(OFFSETS_PARTITIONS));
    props.put("offsets.topic.replication.factor", "3");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("offsets.commit.timeout.ms", "10000");
    cluster = TestCluster.start(dir, 3, props);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static FindCoordinatorResponse findCoordinator(BrokerServer b, String group) {
    try (BrokerClient c = new BrokerClient(b.boundPort())) {
      return c.call().findCoordinator(FindCoordinatorRequest.newBuilder().setKey(group).build());
    }
  }

  /** Asks {@code via} until it names a coordinator; returns its broker id. */
  int waitForCoordinator(BrokerServer via, String group) {
    FindCoordinatorResponse r =
        Wait.forValue(
            "broker " + via.brokerId() + " names the coordinator of " + group,
            WAIT,
            () -> findCoordinator(via, group),
            f -> f.getError() == ErrorCode.NONE);
    assertEquals("127.0.0.1", r.getCoordinator().getHost());
    BrokerServer named = cluster.broker(r.getCoordinator().getId());
    assertEquals(named.boundPort(), r.getCoordinator().getPort(), "coordinator endpoint: " + r);
    return r.getCoordinator().getId();
  }

  static OffsetCommitRequest commit(String group, String topic, Map<Integer, Long> offsets) {
    OffsetCommitTopic.Builder t = OffsetCommitTopic.newBuilder().setName(topic);
    offsets.forEach(
        (p, o) ->
            t.addPartitions(
                OffsetCommitPartition.newBuilder()
                    .setPartition(p)
                    .setCommittedOffset(o)
                    .setCommittedLeaderEpoch(-1)
                    .setCommittedMetadata("m" + o)));
    return OffsetCommitRequest.newBuilder()
        .setGroupId(group)
        .setGenerationId(-1)
        .setMemberId("")
        .addTopics(t)
        .build();
  }

  static OffsetFetchResponse fetchOffsets(BrokerServer coordinator, String group, String topic) {
    try (BrokerClient c = new BrokerClient(coordinator.boundPort())) {
      return c.call()
          .offsetFetch(
              OffsetFetchRequest.newBuilder()
                  .setGroupId(group)
                  .addTopics(
                      OffsetFetchTopic.newBuilder()
                          .setName(topic)
                          .addPartitions(0)
                          .addPartitions(1))
                  .build());
    }
  }

  static Map<Integer, Long> committed(OffsetFetchResponse r) {
    Map<Integer, Long> m = new HashMap<>();
    r.getTopicsList()
        .forEach(
            t ->
                t.getPartitionsList()
                    .forEach(p -> m.put(p.getPartition(), p.getCommittedOffset())));
    return m;
  }

  static boolean answersTopic(OffsetCommitResponse r, String topic) {
    return r.getTopicsList().stream().anyMatch(t -> t.getName().equals(topic));
  }

  /** Skips the calling test while the broker runs the skeleton coordinator (it answers nothing). */
  static void assumeRealCoordinator(OffsetCommitResponse probe) {
    assumeRealCoordinator(probe, "orders");
  }

  static void assumeRealCoordinator(OffsetCommitResponse probe, String topic) {
    Assumptions.assumeTrue(
        answersTopic(probe, topic),
        "GroupCoordinator is the contracts' skeleton (OffsetCommit answers no partition)");
  }

  @Test
  void findCoordinatorCreatesTheOffsetsTopicAndEveryBrokerAgrees() {
    BrokerServer any = cluster.anyRunning();
    assertEquals(ErrorCode.INVALID_GROUP_ID, findCoordinator(any, "").getError());
    assertTrue(any.metadataCache().topic(Topic.CONSUMER_OFFSETS).isEmpty());

    int coordinator = waitForCoordinator(any, "group-a");
    MetadataCache.TopicView offsets =
        any.metadataCache().topic(Topic.CONSUMER_OFFSETS).orElseThrow();
    assertEquals(OFFSETS_PARTITIONS, offsets.partitions().size());
    assertEquals(
        "compact", offsets.configs().get("cleanup.policy"), "configs " + offsets.configs());
    offsets.partitions().values().forEach(ps -> assertEquals(3, ps.getReplicasCount(), "" + ps));
    int partition = OffsetsTopicStore.partitionFor("group-a", OFFSETS_PARTITIONS);
    assertEquals(partition, any.groupStore().partitionFor("group-a"));
    TopicPartition tp = new TopicPartition(Topic.CONSUMER_OFFSETS, partition);
    assertEquals(cluster.leader(tp).brokerId(), coordinator);

    for (BrokerServer b : cluster.brokers()) {
      assertEquals(coordinator, waitForCoordinator(b, "group-a"), "as broker " + b.brokerId());
    }
    try (BrokerClient c = new BrokerClient(any.boundPort())) {
      TopicMetadata tm =
          c.call()
              .metadata(MetadataRequest.newBuilder().addTopics(Topic.CONSUMER_OFFSETS).build())
              .getTopics(0);
      assertEquals(ErrorCode.NONE, tm.getError());
      assertTrue(tm.getIsInternal());
    }
    // The coordinator broker's store loaded the partition it leads.
    Wait.until(
        "broker " + coordinator + " loaded " + tp,
        WAIT,
        () -> cluster.broker(coordinator).groupStore().ledPartitions().containsKey(partition));
  }

  @Test
  void clientsMayNotProduceToNorDeleteTheOffsetsTopic() throws Exception {
    BrokerServer any = cluster.anyRunning();
    waitForCoordinator(any, "group-b");
    int partition = OffsetsTopicStore.partitionFor("group-b", OFFSETS_PARTITIONS);
    TopicPartition tp = new TopicPartition(Topic.CONSUMER_OFFSETS, partition);
    BrokerServer leader = cluster.leader(tp);
    long endBefore = leader.replicaManager().partition(tp).orElseThrow().log().logEndOffset();
    try (BrokerClient c = new BrokerClient(leader.boundPort())) {
      PartitionProduceResponse r =
          c.produceOne(-1, Topic.CONSUMER_OFFSETS, partition, Batches.of(1, 1000));
      assertEquals(ErrorCode.INVALID_TOPIC, r.getError(), r.toString());
      assertTrue(r.getErrorMessage().contains("internal topic"), r.getErrorMessage());

      var deleted =
          c.call()
              .deleteTopics(
                  DeleteTopicsRequest.newBuilder()
                      .addTopicNames(Topic.CONSUMER_OFFSETS)
                      .setTimeoutMs(10_000)
                      .build());
      assertEquals(ErrorCode.INVALID_TOPIC, deleted.getTopics(0).getError(), deleted.toString());
    }
    assertEquals(
        endBefore, leader.replicaManager().partition(tp).orElseThrow().log().logEndOffset());
    // Deleted through the controller directly (an old tool): refused there too.
    var direct =
        cluster
            .waitForController()
            .controller()
            .deleteTopics(
                DeleteTopicsRequest.newBuilder()
                    .addTopicNames(Topic.CONSUMER_OFFSETS)
                    .setTimeoutMs(10_000)
                    .build())
            .get();
    assertEquals(ErrorCode.INVALID_TOPIC, direct.getTopics(0).getError(), direct.toString());
    assertTrue(any.metadataCache().topic(Topic.CONSUMER_OFFSETS).isPresent());
  }

  @Test
  void committedOffsetsSurviveTheCoordinatorsDeath() throws Exception {
    String group = "group-c";
    cluster.createTopic("orders", 2, 3, Map.of());
    int first = waitForCoordinator(cluster.anyRunning(), group);
    BrokerServer coordinator = cluster.broker(first);

    OffsetCommitRequest req = commit(group, "orders", Map.of(0, 42L, 1, 7L));
    OffsetCommitRequest withUnknown =
        req.toBuilder()
            .addTopics(
                OffsetCommitTopic.newBuilder()
                    .setName("no-such-topic")
                    .addPartitions(OffsetCommitPartition.newBuilder().setCommittedOffset(1)))
            .build();
    OffsetCommitResponse r;
    try (BrokerClient c = new BrokerClient(coordinator.boundPort())) {
      r =
          Wait.forValue(
              "the commit accepted by broker " + first,
              WAIT,
              () -> c.call().offsetCommit(withUnknown),
              resp ->
                  !answersTopic(resp, "orders")
                      || resp.getTopicsList().stream()
                          .filter(t -> t.getName().equals("orders"))
                          .flatMap(t -> t.getPartitionsList().stream())
                          .allMatch(p -> p.getError() == ErrorCode.NONE));
    }
    assumeRealCoordinator(r);
    Map<String, Map<Integer, ErrorCode>> errors = new HashMap<>();
    for (OffsetCommitTopicResponse t : r.getTopicsList()) {
      for (OffsetCommitPartitionResponse p : t.getPartitionsList()) {
        errors
            .computeIfAbsent(t.getName(), n -> new HashMap<>())
            .put(p.getPartition(), p.getError());
      }
    }
    assertEquals(
        Map.of(
            "orders", Map.of(0, ErrorCode.NONE, 1, ErrorCode.NONE),
            "no-such-topic", Map.of(0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)),
        errors);
    assertEquals(
        List.of("orders", "no-such-topic"),
        r.getTopicsList().stream().map(t -> t.getName()).toList());

    OffsetFetchResponse fetched = fetchOffsets(coordinator, group, "orders");
    assertEquals(ErrorCode.NONE, fetched.getError(), fetched.toString());
    assertEquals(Map.of(0, 42L, 1, 7L), committed(fetched));
    OffsetFetchPartitionResponse p0 =
        fetched.getTopicsList().get(0).getPartitionsList().stream()
            .filter(p -> p.getPartition() == 0)
            .findFirst()
            .orElseThrow();
    assertEquals("m42", p0.getMetadata());

    // acks=all: the commit is on every replica of the group's partition.
    TopicPartition tp =
        new TopicPartition(
            Topic.CONSUMER_OFFSETS, OffsetsTopicStore.partitionFor(group, OFFSETS_PARTITIONS));
    long end = coordinator.replicaManager().partition(tp).orElseThrow().log().logEndOffset();
    assertTrue(end > 0, "log end offset of " + tp + ": " + end);
    for (BrokerServer b : cluster.brokers()) {
      Wait.until(
          "broker " + b.brokerId() + " holds the commit",
          WAIT,
          () -> b.replicaManager().partition(tp).orElseThrow().log().logEndOffset() >= end);
    }

    cluster.kill(first);
    BrokerServer survivor =
        cluster.brokers().stream().filter(BrokerServer::isRunning).findFirst().orElseThrow();
    int second =
        Wait.forValue(
                "a new coordinator of " + group,
                WAIT,
                () -> findCoordinator(survivor, group),
                f -> f.getError() == ErrorCode.NONE && f.getCoordinator().getId() != first)
            .getCoordinator()
            .getId();
    assertNotEquals(first, second);
    BrokerServer next = cluster.broker(second);
    OffsetFetchResponse after =
        Wait.forValue(
            "broker " + second + " answers OffsetFetch for " + group,
            WAIT,
            () -> fetchOffsets(next, group, "orders"),
            f -> f.getError() == ErrorCode.NONE);
    assertEquals(Map.of(0, 42L, 1, 7L), committed(after), after.toString());
  }

  @Test
  void joinGroupSeesTheClientsAddress() {
    String group = "group-d";
    int id = waitForCoordinator(cluster.anyRunning(), group);
    BrokerServer coordinator = cluster.broker(id);
    try (BrokerClient c = new BrokerClient(coordinator.boundPort())) {
      JoinGroupRequest join =
          JoinGroupRequest.newBuilder()
              .setGroupId(group)
              .setSessionTimeoutMs(10_000)
              .setRebalanceTimeoutMs(10_000)
              .setProtocolType("consumer")
              .setClientId("client-d")
              .addProtocols(JoinGroupProtocol.newBuilder().setName("range"))
              .build();
      JoinGroupResponse first =
          Wait.forValue(
              "a first JoinGroup answered",
              WAIT,
              () -> c.call().joinGroup(join),
              // The metadata may name the coordinator before it has applied the LeaderAndIsr.
              j ->
                  j.getError() != ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
                      && j.getError() != ErrorCode.NOT_COORDINATOR);
      Assumptions.assumeTrue(
          first.getError() != ErrorCode.COORDINATOR_NOT_AVAILABLE,
          "GroupCoordinator is the contracts' skeleton (JoinGroup answers COORDINATOR_NOT_AVAILABLE)");
      assertEquals(ErrorCode.MEMBER_ID_REQUIRED, first.getError(), first.toString());
      JoinGroupResponse joined =
          c.call().joinGroup(join.toBuilder().setMemberId(first.getMemberId()).build());
      assertEquals(ErrorCode.NONE, joined.getError(), joined.toString());
      DescribedGroup described =
          c.call()
              .describeGroups(DescribeGroupsRequest.newBuilder().addGroups(group).build())
              .getGroups(0);
      assertEquals(1, described.getMembersCount(), described.toString());
      assertEquals("/127.0.0.1", described.getMembers(0).getClientHost());
      assertEquals("client-d", described.getMembers(0).getClientId());
    }
  }

  @Test
  void offsetsOfADeletedTopicAreDropped() {
    String group = "group-e";
    cluster.createTopic("doomed", 2, 3, Map.of());
    cluster.createTopic("kept", 2, 3, Map.of());
    BrokerServer coordinator = cluster.broker(waitForCoordinator(cluster.anyRunning(), group));
    try (BrokerClient c = new BrokerClient(coordinator.boundPort())) {
      for (String topic : List.of("doomed", "kept")) {
        OffsetCommitResponse r =
            Wait.forValue(
                "a commit of " + topic + " accepted",
                WAIT,
                () -> c.call().offsetCommit(commit(group, topic, Map.of(0, 5L, 1, 6L))),
                resp ->
                    !answersTopic(resp, topic)
                        || resp.getTopics(0).getPartitionsList().stream()
                            .allMatch(p -> p.getError() == ErrorCode.NONE));
        assumeRealCoordinator(r, topic);
      }
      var deleted =
          c.call()
              .deleteTopics(
                  DeleteTopicsRequest.newBuilder()
                      .addTopicNames("doomed")
                      .setTimeoutMs(30_000)
                      .build());
      assertEquals(ErrorCode.NONE, deleted.getTopics(0).getError(), deleted.toString());
    }
    Wait.until(
        "the offsets of the deleted topic dropped",
        WAIT,
        () -> committed(fetchOffsets(coordinator, group, "doomed")).equals(Map.of(0, -1L, 1, -1L)));
    assertEquals(Map.of(0, 5L, 1, 6L), committed(fetchOffsets(coordinator, group, "kept")));
  }
}
