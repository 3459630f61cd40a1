package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.StopReplicaPartition;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.KillSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControllerTest {
  private ZkTestSupport zk;
  private MetadataStore store;
  private final List<FakeBroker> brokers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkTestSupport();
    store = new MetadataStore(zk.client());
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  private FakeBroker broker(int id) throws Exception {
    FakeBroker b = zk.closeLater(new FakeBroker(id, zk.client()));
    brokers.add(b);
    return b;
  }

  private Controller controller(int id) throws Exception {
    return controller(id, 50);
  }

  private Controller controller(int id, long retryBackoffMs) throws Exception {
    return controller(id, retryBackoffMs, false);
  }

  private Controller controller(int id, long retryBackoffMs, boolean electLeaderOutsideIsr)
      throws Exception {
    ControllerConfig cfg =
        ControllerConfig.fromProperties(
                id,
                Map.of(
                    "request.timeout.ms",
                    "5000",
                    "retry.backoff.ms",
                    String.valueOf(retryBackoffMs)))
            .withElectLeaderOutsideIsr(electLeaderOutsideIsr);
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000, retryBackoffMs, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build());
    Controller c =
        zk.closeLater(new Controller(cfg, zk.client(), channels, Time.SYSTEM, new Random(id)));
    c.start();
    return c;
  }

  private static CreateTopicsRequest create(String name, int partitions, int rf) {
    return CreateTopicsRequest.newBuilder()
        .addTopics(
            CreatableTopic.newBuilder()
                .setName(name)
                .setNumPartitions(partitions)
                .setReplicationFactor(rf))
        .setTimeoutMs(10_000)
        .build();
  }

  private static CreatableTopicResult createOne(Controller c, CreateTopicsRequest r)
      throws Exception {
    return c.createTopics(r).get(30, TimeUnit.SECONDS).getTopics(0);
  }

  private LeaderAndIsr state(String t, int p) {
    return store.partitionState(t, p).orElseThrow();
  }

  /** The newest state of t-p that broker b was told about in LeaderAndIsr. */
  private static PartitionState lastToldState(FakeBroker b, String t, int p) {
    PartitionState last = null;
    for (LeaderAndIsrRequest r : b.leaderAndIsr) {
      for (var topic : r.getTopicsList()) {
        for (var ps : topic.getPartitionsList()) {
          if (topic.getTopic().equals(t) && ps.getPartition() == p) {
            last = ps;
          }
        }
      }
    }
    return last;
  }

  @Test
  void createStoresAssignmentElectsLeadersAndTellsBrokers() throws Exception {
    FakeBroker b1 = broker(1);
    FakeBroker b2 = broker(2);
    FakeBroker b3 = broker(3);
    Controller c = controller(1);
    waitFor(c::isActive, "controller active");
    assertEquals(1, c.controllerEpoch());
    waitFor(() -> !b3.updateMetadata.isEmpty(), "initial full UpdateMetadata");
    assertTrue(b3.updateMetadata.get(0).getFull());
    assertEquals(3, b3.updateMetadata.get(0).getLiveBrokersCount());

    CreatableTopicResult r =
        createOne(
            c,
            CreateTopicsRequest.newBuilder()
                .addTopics(
                    CreatableTopic.newBuilder()
                        .setName("orders")
                        .setNumPartitions(6)
                        .setReplicationFactor(1)
                        .putConfigs("retention.ms", "1000"))
                .build());
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(6, r.getNumPartitions());

    TopicAssignment a = store.topic("orders").orElseThrow().value();
    assertEquals(r.getTopicId(), a.topicId().toString());
    assertEquals(Map.of("retention.ms", "1000"), store.topicConfig("orders"));
    Map<Integer, Integer> led = new HashMap<>();
    for (int p = 0; p < 6; p++) {
      LeaderAndIsr s = state("orders", p);
      assertEquals(a.replicasOf(p).get(0), s.leader());
      assertEquals(List.of(s.leader()), s.isr());
      assertEquals(0, s.leaderEpoch());
      assertEquals(1, s.controllerEpoch());
      led.merge(s.leader(), 1, Integer::sum);
    }
    assertEquals(Map.of(1, 2, 2, 2, 3, 2), led, "single-replica partitions spread over brokers");

    // Each leader heard about its partitions, with the controller and its own broker epoch.
    for (FakeBroker b : List.of(b1, b2, b3)) {
      List<LeaderAndIsrRequest> got = b.leaderAndIsr;
      assertFalse(got.isEmpty(), "broker " + b.id + " got LeaderAndIsr");
      LeaderAndIsrRequest last = got.get(got.size() - 1);
      assertEquals(1, last.getControllerId());
      assertEquals(1, last.getControllerEpoch());
      assertEquals(b.epoch(), last.getBrokerEpoch());
      assertEquals("orders", last.getTopics(0).getTopic());
      assertEquals("1000", last.getTopics(0).getConfigsMap().get("retention.ms"));
      assertEquals(2, last.getTopics(0).getPartitionsCount());
      for (var ps : last.getTopics(0).getPartitionsList()) {
        assertEquals(b.id, ps.getLeader());
      }
      waitFor(
          () ->
              b.updateMetadata.stream()
                  .anyMatch(
                      u -> u.getTopicsList().stream().anyMatch(t -> t.getTopic().equals("orders"))),
          "UpdateMetadata with orders to broker " + b.id);
    }

    // Already exists.
    assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, createOne(c, create("orders", 1, 1)).getError());
  }

  /** The live broker ids of the full UpdateMetadata requests {@code b} applied, in order. */
  private static List<List<Integer>> appliedFullLiveBrokers(FakeBroker b) {
    List<List<Integer>> out = new ArrayList<>();
    for (UpdateMetadataRequest u : b.updateMetadata) {
      if (u.getFull()) {
        out.add(u.getLiveBrokersList().stream().map(BrokerEndpoint::getId).sorted().toList());
      }
    }
    return out;
  }

  /**
   * The reported bug: "Broker 2 became controller (epoch 1)", then "Brokers left: [], joined: [1]",
   * and broker 3 kept listing only brokers [2, 3]. The full UpdateMetadata sent on becoming
   * controller was slow and failed transiently; sent independently, its retry overtook the full one
   * sent for the join. Requests to a broker must reach it in the order they were made.
   */
  @Test
  void aDelayedFullUpdateDoesNotOvertakeTheOneForAJoin() throws Exception {
    FakeBroker b2 = zk.closeLater(new FakeBroker(2, zk.client(), true));
    FakeBroker b3 = zk.closeLater(new FakeBroker(3, zk.client(), true));
    Controller c = controller(2, 200);
    waitFor(c::isActive, "controller active");
    for (FakeBroker b : List.of(b2, b3)) {
      UpdateMetadataRequest held = b.firstUpdateMetadataHeld.get(30, TimeUnit.SECONDS);
      assertTrue(held.getFull());
      assertEquals(2, held.getLiveBrokersCount(), "sent on becoming controller");
    }

    FakeBroker b1 = broker(1);
    waitFor(() -> !appliedFullLiveBrokers(b1).isEmpty(), "broker 1 told about the cluster");
    assertEquals(List.of(1, 2, 3), appliedFullLiveBrokers(b1).get(0));

    // The slow first deliveries fail now; the controller retries them.
    b2.firstUpdateMetadataRelease.complete(null);
    b3.firstUpdateMetadataRelease.complete(null);
    for (FakeBroker b : List.of(b2, b3)) {
      waitFor(
          () -> appliedFullLiveBrokers(b).size() >= 2,
          "broker " + b.id + " to apply both full UpdateMetadata requests");
    }
    for (FakeBroker b : List.of(b1, b2, b3)) {
      List<List<Integer>> applied = appliedFullLiveBrokers(b);
      assertEquals(
          List.of(1, 2, 3),
          applied.get(applied.size() - 1),
          "live brokers in the last full UpdateMetadata broker "
              + b.id
              + " applied; all it applied: "
              + applied);
    }
  }

  @Test
  void badRequestsAreRefusedWithClearMessages() throws Exception {
    broker(1);
    Controller c = controller(1);
    waitFor(c::isActive, "controller active");
    CreatableTopicResult rf = createOne(c, create("orders", 1, 3));
    assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, rf.getError());
    assertEquals("Replication factor: 3 larger than available brokers: 1.", rf.getErrorMessage());
    assertEquals(ErrorCode.INVALID_TOPIC, createOne(c, create("no/slash", 1, 1)).getError());
    CreatableTopicResult cfg =
        createOne(
            c,
            CreateTopicsRequest.newBuilder()
                .addTopics(
                    CreatableTopic.newBuilder()
                        .setName("t")
                        .setNumPartitions(1)
                        .setReplicationFactor(1)
                        .putConfigs("retention.ms", "abc"))
                .build());
    assertEquals(ErrorCode.INVALID_CONFIG, cfg.getError());
    assertEquals(
        "Invalid value abc for configuration retention.ms: Not a number of type LONG",
        cfg.getErrorMessage());
    assertTrue(store.topicNames().isEmpty(), "nothing was created");
  }

  @Test
  void deleteRemovesEverythingAndStopsReplicas() throws Exception {
    FakeBroker b1 = broker(1);
    FakeBroker b2 = broker(2);
    Controller c = controller(1);
    waitFor(c::isActive, "controller active");
    assertEquals(ErrorCode.NONE, createOne(c, create("gone", 4, 2)).getError());
    var resp =
        c.deleteTopics(
                DeleteTopicsRequest.newBuilder()
                    .addTopicNames("gone")
                    .addTopicNames("nope")
                    .build())
            .get(30, TimeUnit.SECONDS);
    Map<String, ErrorCode> errors = new HashMap<>();
    resp.getTopicsList().forEach(t -> errors.put(t.getName(), t.getError()));
    assertEquals(
        Map.of("gone", ErrorCode.NONE, "nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), errors);
    assertTrue(store.topic("gone").isEmpty());
    assertTrue(store.children(ZkPaths.DELETE_TOPICS).isEmpty());
    assertTrue(store.stat(ZkPaths.topicConfigPath("gone")).isEmpty());
    for (FakeBroker b : List.of(b1, b2)) {
      assertEquals(1, b.stopReplica.size());
      assertEquals(c.controllerEpoch(), b.stopReplica.get(0).getControllerEpoch());
      assertEquals(b.epoch(), b.stopReplica.get(0).getBrokerEpoch());
      assertEquals(4, b.stopReplica.get(0).getPartitionsCount());
      assertTrue(
          b.stopReplica.get(0).getPartitionsList().stream()
              .allMatch(StopReplicaPartition::getDeletePartition));
      waitFor(
          () -> b.updateMetadata.stream().anyMatch(u -> u.getDeletedTopicsList().contains("gone")),
          "UpdateMetadata with deleted_topics to broker " + b.id);
    }
    // The name can be used again.
    assertEquals(ErrorCode.NONE, createOne(c, create("gone", 1, 1)).getError());
  }

  @Test
  void brokerLeaveMakesPartitionsOfflineAndReturnBringsThemBack() throws Exception {
    FakeBroker b1 = broker(1);
    FakeBroker b2 = broker(2);
    Controller c = controller(1);
    waitFor(c::isActive, "controller active");
    assertEquals(ErrorCode.NONE, createOne(c, create("t", 4, 1)).getError());
    List<Integer> ledBy2 = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      if (state("t", p).leader() == 2) {
        ledBy2.add(p);
      }
    }
    assertEquals(2, ledBy2.size());
    int p = ledBy2.get(0);
    long oldEpoch = b2.epoch();

    // Broker 2 leaves (its registration goes away) and stays away until the controller acted.
    // Session expiry followed by re-registration is BrokerRegistrarTest's subject; here a quick
    // re-registration could be seen together with the leave, and the offline state skipped.
    b2.registrar.close();
    waitFor(() -> state("t", p).leader() == LeaderAndIsr.NO_LEADER, "t-" + p + " offline");
    LeaderAndIsr offline = state("t", p);
    assertEquals(List.of(2), offline.isr(), "the ISR keeps its last member");
    assertEquals(1, offline.leaderEpoch());
    waitFor(
        () -> b1.updateMetadata.stream().anyMatch(u -> u.getLiveBrokersCount() == 1),
        "broker 1 told that broker 2 left");

    // Broker 2 registers again: a new broker epoch, a join.
    b2.register();
    waitFor(() -> b2.epoch() != oldEpoch && b2.epoch() > 0, "broker 2 registered again");
    waitFor(() -> state("t", p).leader() == 2, "t-" + p + " back online");
    assertEquals(2, state("t", p).leaderEpoch(), "a higher leader epoch");
    waitFor(
        () -> {
          PartitionState told = lastToldState(b2, "t", p);
          return told != null && told.getLeaderEpoch() == 2;
        },
        "broker 2 told it leads again");
    LeaderAndIsrRequest last = b2.leaderAndIsr.get(b2.leaderAndIsr.size() - 1);
    assertEquals(b2.epoch(), last.getBrokerEpoch(), "requests carry the new broker epoch");
  }

  /**
   * The test-only fault electLeaderOutsideIsr, through the controller: leader 1 of t-0 (ISR [1, 2];
   * broker 3 live but outside the ISR) goes away. Normally 2 takes over; with the fault, 3 does,
   * alone in the ISR.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aLeaderLossElectsFromTheIsrUnlessElectLeaderOutsideIsrIsOn(boolean outsideIsr)
      throws Exception {
    FakeBroker b1 = broker(1);
    broker(2);
    broker(3);
    store.create(
        ZkPaths.topicPath("t"),
        ZkPaths.encodeTopic(
            new TopicAssignment(
                "t", UUID.randomUUID(), new TreeMap<>(Map.of(0, List.of(1, 2, 3))))));
    store.create(
        ZkPaths.partitionStatePath("t", 0),
        ZkPaths.encodePartitionState(new LeaderAndIsr(1, 3, List.of(1, 2), 0, 0)));
    Controller c = controller(2, 50, outsideIsr);
    waitFor(c::isActive, "controller active");
    waitFor(() -> lastToldState(b1, "t", 0) != null, "broker 1 told it leads t-0");
    assertEquals(1, state("t", 0).leader(), "a live leader is kept");

    b1.registrar.close();
    waitFor(() -> state("t", 0).leader() != 1, "t-0 has a new leader");
    LeaderAndIsr after = state("t", 0);
    int expected = outsideIsr ? 3 : 2;
    assertEquals(expected, after.leader());
    assertEquals(List.of(expected), after.isr());
    assertEquals(4, after.leaderEpoch());
  }

  @Test
  void failoverToSecondCandidate() throws Exception {
    broker(1);
    Controller c1 = controller(1);
    waitFor(c1::isActive, "first controller active");
    Controller c2 = controller(2);
    assertFalse(c2.isActive());
    assertEquals(ErrorCode.NOT_CONTROLLER, createOne(c2, create("x", 1, 1)).getError());
    assertEquals(ErrorCode.NONE, createOne(c1, create("x", 1, 1)).getError());

    // Expire the active controller's session (the one it was built with).
    var field = Controller.class.getDeclaredField("client");
    field.setAccessible(true);
    var c1Client = (org.apache.curator.framework.CuratorFramework) field.get(c1);
    KillSession.kill(c1Client.getZookeeperClient().getZooKeeper());
    waitFor(c2::isActive, "second controller active");
    assertEquals(2, c2.controllerEpoch());
    waitFor(() -> !c1.isActive() || c1.controllerEpoch() > 2, "first controller stepped down");
    assertEquals(ErrorCode.NONE, createOne(c2, create("y", 1, 1)).getError());
    assertEquals(2, state("y", 0).controllerEpoch());
    assertEquals(new ZkPaths.ControllerRegistration(2, 2), store.controller().orElseThrow());
  }

  @Test
  void operatorCreatedTopicIsPickedUp() throws Exception {
    FakeBroker b1 = broker(1);
    Controller c = controller(1);
    waitFor(c::isActive, "controller active");
    store.create(
        ZkPaths.topicPath("manual"),
        "{\"version\":1,\"partitions\":{\"0\":[1],\"1\":[1]}}".getBytes(StandardCharsets.UTF_8));
    waitFor(() -> store.partitionState("manual", 1).isPresent(), "states created");
    assertEquals(1, state("manual", 0).leader());
    assertTrue(ZkPaths.hasTopicId(store.read(ZkPaths.topicPath("manual")).orElseThrow().value()));
    waitFor(() -> lastToldState(b1, "manual", 1) != null, "broker told about manual-1");
  }
}
