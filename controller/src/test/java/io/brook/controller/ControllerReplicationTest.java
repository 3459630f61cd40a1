package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionItem;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopic;
import io.brook.protocol.v1.ControlledShutdownRequest;
import io.brook.protocol.v1.ControlledShutdownResponse;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.PartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.KillSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AlterPartition, broker death, producer id blocks and controlled shutdown, on real ZooKeeper. */
class ControllerReplicationTest {
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

  private FakeBroker broker(int id) throws Exception {
    return zk.closeLater(new FakeBroker(id, zk.client()));
  }

  private Controller controller(int id, Map<String, String> extra) throws Exception {
    return controller(id, extra, zk.client());
  }

  private Controller controller(int id, Map<String, String> extra, CuratorFramework client)
      throws Exception {
    Map<String, String> props = new HashMap<>(extra);
    props.put("request.timeout.ms", "5000");
    props.put("retry.backoff.ms", "50");
    ControllerConfig cfg = ControllerConfig.fromProperties(id, props);
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000,
            50,
            b -> io.grpc.inprocess.InProcessChannelBuilder.forName("broker-" + b.id()).build());
    Controller c =
        zk.closeLater(new Controller(cfg, client, channels, Time.SYSTEM, new Random(id)));
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

  private LeaderAndIsr state(String t, int p) {
    return store.partitionState(t, p).orElseThrow();
  }

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

  private static AlterPartitionRequest alter(
      FakeBroker sender, String topicId, LeaderAndIsr s, List<Integer> newIsr) {
    return AlterPartitionRequest.newBuilder()
        .setBrokerId(sender.id)
        .setBrokerEpoch(sender.epoch())
        .addTopics(
            AlterPartitionTopic.newBuilder()
                .setTopic("t")
                .setTopicId(topicId)
                .addPartitions(
                    AlterPartitionItem.newBuilder()
                        .setPartition(0)
                        .setLeaderEpoch(s.leaderEpoch())
                        .setPartitionEpoch(s.partitionEpoch())
                        .addAllNewIsr(newIsr)))
        .build();
  }

  private static AlterPartitionResult only(AlterPartitionResponse r) {
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    return r.getTopics(0).getPartitions(0);
  }

  @Test
  void alterPartitionShrinksAndExpandsTheIsrAndTellsTheBrokers() throws Exception {
    Map<Integer, FakeBroker> brokers = new HashMap<>();
    for (int id = 1; id <= 3; id++) {
      brokers.put(id, broker(id));
    }
    Controller c = controller(1, Map.of());
    waitFor(c::isActive, "controller active");
    assertEquals(
        ErrorCode.NONE,
        c.createTopics(create("t", 1, 3)).get(30, TimeUnit.SECONDS).getTopics(0).getError());
    TopicAssignment a = store.topic("t").orElseThrow().value();
    String topicId = a.topicId().toString();
    LeaderAndIsr s0 = state("t", 0);
    FakeBroker leader = brokers.get(s0.leader());
    int follower = a.replicasOf(0).stream().filter(r -> r != s0.leader()).findFirst().orElseThrow();
    List<Integer> shrunk = new ArrayList<>(s0.isr());
    shrunk.remove(Integer.valueOf(follower));

    // Shrink.
    AlterPartitionResult r =
        only(c.alterPartition(alter(leader, topicId, s0, shrunk)).get(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(shrunk, r.getIsrList());
    assertEquals(s0.leaderEpoch(), r.getLeaderEpoch(), "an ISR change keeps the leader epoch");
    assertEquals(s0.partitionEpoch() + 1, r.getPartitionEpoch());
    LeaderAndIsr s1 = state("t", 0);
    assertEquals(shrunk, s1.isr());
    assertEquals(r.getPartitionEpoch(), s1.partitionEpoch());
    for (FakeBroker b : brokers.values()) {
      waitFor(
          () -> {
            PartitionState told = lastToldState(b, "t", 0);
            return told != null && told.getPartitionEpoch() == s1.partitionEpoch();
          },
          "broker " + b.id + " told the new ISR");
      waitFor(
          () ->
              b.updateMetadata.stream()
                  .flatMap(u -> u.getTopicsList().stream())
                  .flatMap(t -> t.getPartitionsList().stream())
                  .anyMatch(p -> p.getPartitionEpoch() == s1.partitionEpoch()),
          "UpdateMetadata with the new ISR to broker " + b.id);
    }

    // The same proposal again (a retry): answered with the current state, nothing written.
    r = only(c.alterPartition(alter(leader, topicId, s0, shrunk)).get(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.NONE, r.getError());
    assertEquals(s1.partitionEpoch(), r.getPartitionEpoch());
    assertEquals(s1.partitionEpoch(), state("t", 0).partitionEpoch());

    // A stale partition epoch: refused with the committed state.
    r =
        only(
            c.alterPartition(alter(leader, topicId, s0, a.replicasOf(0)))
                .get(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.INVALID_UPDATE_VERSION, r.getError());
    assertEquals(s1.partitionEpoch(), r.getPartitionEpoch());
    assertEquals(shrunk, r.getIsrList());

    // Expand with the current partition epoch.
    r =
        only(
            c.alterPartition(alter(leader, topicId, s1, a.replicasOf(0)))
                .get(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(Set.copyOf(a.replicasOf(0)), Set.copyOf(state("t", 0).isr()));

    // A follower is not the leader.
    LeaderAndIsr s2 = state("t", 0);
    r =
        only(
            c.alterPartition(alter(brokers.get(follower), topicId, s2, List.of(follower)))
                .get(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.NEW_LEADER_ELECTED, r.getError());

    // A wrong topic id.
    r = only(c.alterPartition(alter(leader, "not-the-id", s2, shrunk)).get(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.INCONSISTENT_TOPIC_ID, r.getError());

    // A stale broker epoch: the whole request.
    AlterPartitionRequest stale =
        alter(leader, topicId, s2, shrunk).toBuilder().setBrokerEpoch(leader.epoch() - 1).build();
    assertEquals(
        ErrorCode.STALE_BROKER_EPOCH, c.alterPartition(stale).get(30, TimeUnit.SECONDS).getError());
    assertEquals(s2, state("t", 0), "nothing written");
  }

  @Test
  void aDeposedControllerCannotWriteAnIsrChange() throws Exception {
    FakeBroker b1 = broker(1);
    broker(2);
    CuratorFramework c1Client = zk.client();
    Controller c1 = controller(1, Map.of(), c1Client);
    waitFor(c1::isActive, "first controller active");
    assertEquals(
        ErrorCode.NONE,
        c1.createTopics(create("t", 1, 2)).get(30, TimeUnit.SECONDS).getTopics(0).getError());
    String topicId = store.topic("t").orElseThrow().value().topicId().toString();
    // Another controller claims a newer epoch behind c1's back (as after a session expiry that
    // c1 did not notice yet): c1's next write must fail.
    int epochVersion = store.read(ZkPaths.CONTROLLER_EPOCH).orElseThrow().version();
    store.setData(ZkPaths.CONTROLLER_EPOCH, ZkPaths.encodeControllerEpoch(99), epochVersion);
    LeaderAndIsr s = state("t", 0);
    FakeBroker leader = s.leader() == 1 ? b1 : null;
    AlterPartitionRequest req =
        AlterPartitionRequest.newBuilder()
            .setBrokerId(s.leader())
            .setBrokerEpoch(
                leader != null ? leader.epoch() : store.broker(s.leader()).orElseThrow().epoch())
            .addTopics(
                AlterPartitionTopic.newBuilder()
                    .setTopic("t")
                    .setTopicId(topicId)
                    .addPartitions(
                        AlterPartitionItem.newBuilder()
                            .setPartition(0)
                            .setLeaderEpoch(s.leaderEpoch())
                            .setPartitionEpoch(s.partitionEpoch())
                            .addNewIsr(s.leader())))
            .build();
    AlterPartitionResponse r = c1.alterPartition(req).get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NOT_CONTROLLER, r.getError());
    assertEquals(s, state("t", 0), "the fenced write did not happen");
    waitFor(() -> !c1.isActive() || c1.controllerEpoch() > 99, "the deposed controller resigned");
  }

  @Test
  void aDeadFollowerLeavesEveryIsrAndADeadLeaderIsReplaced() throws Exception {
    Map<Integer, FakeBroker> brokers = new HashMap<>();
    for (int id = 1; id <= 3; id++) {
      brokers.put(id, broker(id));
    }
    Controller c = controller(1, Map.of());
    waitFor(c::isActive, "controller active");
    assertEquals(
        ErrorCode.NONE,
        c.createTopics(create("t", 6, 3)).get(30, TimeUnit.SECONDS).getTopics(0).getError());
    TopicAssignment a = store.topic("t").orElseThrow().value();
    Map<Integer, LeaderAndIsr> before = new HashMap<>();
    for (int p = 0; p < 6; p++) {
      before.put(p, state("t", p));
    }
    brokers.get(3).registrar.close();
    for (int p = 0; p < 6; p++) {
      int part = p;
      waitFor(() -> !state("t", part).isr().contains(3), "broker 3 left the ISR of t-" + part);
      LeaderAndIsr s = state("t", p);
      LeaderAndIsr b = before.get(p);
      assertEquals(b.leaderEpoch() + 1, s.leaderEpoch(), "t-" + p + ": leader epoch bumped");
      int expectedLeader =
          a.replicasOf(p).stream()
              .filter(r -> r != 3 && b.isr().contains(r))
              .findFirst()
              .orElseThrow();
      if (b.leader() != 3) {
        assertEquals(b.leader(), s.leader(), "t-" + p + ": a live leader stays");
      } else {
        assertEquals(expectedLeader, s.leader(), "t-" + p + ": first live ISR member");
      }
      List<Integer> isr = new ArrayList<>(b.isr());
      isr.remove(Integer.valueOf(3));
      assertEquals(isr, s.isr());
      for (int r : List.of(1, 2)) {
        FakeBroker fb = brokers.get(r);
        waitFor(
            () -> {
              PartitionState told = lastToldState(fb, "t", part);
              return told != null && told.getLeaderEpoch() == s.leaderEpoch();
            },
            "broker " + r + " told about t-" + part);
      }
    }
  }

  @Test
  void noLiveIsrMemberMeansOfflineUnlessUncleanElectionIsAllowed() throws Exception {
    FakeBroker b1 = broker(1);
    FakeBroker b2 = broker(2);
    Controller c = controller(1, Map.of());
    waitFor(c::isActive, "controller active");
    CreateTopicsRequest two =
        CreateTopicsRequest.newBuilder()
            .addTopics(
                CreatableTopic.newBuilder()
                    .setName("clean")
                    .setNumPartitions(-1)
                    .setReplicationFactor(-1)
                    .addAssignments(
                        io.brook.protocol.v1.ReplicaAssignment.newBuilder()
                            .setPartition(0)
                            .addBrokerIds(1)
                            .addBrokerIds(2)))
            .addTopics(
                CreatableTopic.newBuilder()
                    .setName("unclean")
                    .setNumPartitions(-1)
                    .setReplicationFactor(-1)
                    .addAssignments(
                        io.brook.protocol.v1.ReplicaAssignment.newBuilder()
                            .setPartition(0)
                            .addBrokerIds(1)
                            .addBrokerIds(2))
                    .putConfigs("unclean.leader.election.enable", "true"))
            .setTimeoutMs(10_000)
            .build();
    c.createTopics(two).get(30, TimeUnit.SECONDS);
    // Make broker 2 an out-of-sync follower of both partitions (the leaders shrink the ISR).
    for (String t : List.of("clean", "unclean")) {
      LeaderAndIsr s = state(t, 0);
      int leader = s.leader();
      FakeBroker lb = leader == 1 ? b1 : b2;
      AlterPartitionResponse r =
          c.alterPartition(
                  AlterPartitionRequest.newBuilder()
                      .setBrokerId(leader)
                      .setBrokerEpoch(lb.epoch())
                      .addTopics(
                          AlterPartitionTopic.newBuilder()
                              .setTopic(t)
                              .addPartitions(
                                  AlterPartitionItem.newBuilder()
                                      .setPartition(0)
                                      .setLeaderEpoch(s.leaderEpoch())
                                      .setPartitionEpoch(s.partitionEpoch())
                                      .addNewIsr(leader)))
                      .build())
              .get(30, TimeUnit.SECONDS);
      assertEquals(ErrorCode.NONE, r.getTopics(0).getPartitions(0).getError());
    }
    // The leaders die.
    Set<Integer> leaders =
        new HashSet<>(List.of(state("clean", 0).leader(), state("unclean", 0).leader()));
    assertEquals(Set.of(1), leaders, "the first replica leads");
    int dead = leaders.iterator().next();
    int survivor = dead == 1 ? 2 : 1;
    (dead == 1 ? b1 : b2).registrar.close();
    waitFor(() -> state("unclean", 0).leader() == survivor, "unclean election");
    waitFor(() -> state("clean", 0).leader() == LeaderAndIsr.NO_LEADER, "clean partition offline");
    assertEquals(List.of(dead), state("clean", 0).isr(), "the ISR keeps its last member");
    assertEquals(List.of(survivor), state("unclean", 0).isr());
  }

  @Test
  void producerIdBlocksAreUniqueAcrossBrokersAndControllerFailover() throws Exception {
    FakeBroker b1 = broker(1);
    FakeBroker b2 = broker(2);
    CuratorFramework c1Client = zk.client();
    Controller c1 = controller(1, Map.of(), c1Client);
    waitFor(c1::isActive, "first controller active");
    Controller c2 = controller(2, Map.of());
    Set<Long> starts = new HashSet<>();
    for (FakeBroker b : List.of(b1, b2, b1)) {
      AllocateProducerIdsResponse r =
          c1.allocateProducerIds(
                  AllocateProducerIdsRequest.newBuilder()
                      .setBrokerId(b.id)
                      .setBrokerEpoch(b.epoch())
                      .build())
              .get(30, TimeUnit.SECONDS);
      assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
      assertEquals(1000, r.getProducerIdLen());
      assertTrue(starts.add(r.getProducerIdStart()));
    }
    assertEquals(Set.of(0L, 1000L, 2000L), starts);
    assertEquals(
        ErrorCode.NOT_CONTROLLER,
        c2.allocateProducerIds(
                AllocateProducerIdsRequest.newBuilder()
                    .setBrokerId(2)
                    .setBrokerEpoch(b2.epoch())
                    .build())
            .get(30, TimeUnit.SECONDS)
            .getError());
    assertEquals(
        ErrorCode.STALE_BROKER_EPOCH,
        c1.allocateProducerIds(
                AllocateProducerIdsRequest.newBuilder().setBrokerId(2).setBrokerEpoch(1).build())
            .get(30, TimeUnit.SECONDS)
            .getError());

    KillSession.kill(c1Client.getZookeeperClient().getZooKeeper());
    waitFor(c2::isActive, "second controller active");
    AllocateProducerIdsResponse r = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      r =
          c2.allocateProducerIds(
                  AllocateProducerIdsRequest.newBuilder()
                      .setBrokerId(2)
                      .setBrokerEpoch(b2.epoch())
                      .build())
              .get(30, TimeUnit.SECONDS);
      if (r.getError() == ErrorCode.NONE) {
        break;
      }
      Thread.sleep(50);
    }
    assertNotNull(r);
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    assertEquals(3000L, r.getProducerIdStart());
    assertEquals(
        new ZkPaths.ProducerIdBlock(2, 3000, 3999),
        ZkPaths.decodeProducerIdBlock(
            store.read(ZkPaths.LATEST_PRODUCER_ID_BLOCK).orElseThrow().value()));
  }

  @Test
  void controlledShutdownMovesLeadershipAndShrinksIsrs() throws Exception {
    Map<Integer, FakeBroker> brokers = new HashMap<>();
    for (int id = 1; id <= 3; id++) {
      brokers.put(id, broker(id));
    }
    Controller c = controller(1, Map.of());
    waitFor(c::isActive, "controller active");
    c.createTopics(create("t", 6, 2)).get(30, TimeUnit.SECONDS);
    c.createTopics(create("single", 3, 1)).get(30, TimeUnit.SECONDS);
    Map<Integer, LeaderAndIsr> before = new HashMap<>();
    for (int p = 0; p < 6; p++) {
      before.put(p, state("t", p));
    }
    FakeBroker b2 = brokers.get(2);
    assertEquals(
        ErrorCode.STALE_BROKER_EPOCH,
        c.controlledShutdown(
                ControlledShutdownRequest.newBuilder().setBrokerId(2).setBrokerEpoch(1).build())
            .get(30, TimeUnit.SECONDS)
            .getError());
    ControlledShutdownResponse r =
        c.controlledShutdown(
                ControlledShutdownRequest.newBuilder()
                    .setBrokerId(2)
                    .setBrokerEpoch(b2.epoch())
                    .build())
            .get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    for (int p = 0; p < 6; p++) {
      LeaderAndIsr b = before.get(p);
      LeaderAndIsr s = state("t", p);
      if (b.isr().contains(2)) {
        assertFalse(s.isr().contains(2), "t-" + p + ": broker 2 left the ISR");
        assertEquals(b.leaderEpoch() + 1, s.leaderEpoch());
      }
      assertTrue(s.leader() != 2, "t-" + p + " moved away from broker 2");
    }
    // Single-replica partitions led by broker 2 remain.
    int remaining = 0;
    for (int p = 0; p < 3; p++) {
      if (state("single", p).leader() == 2) {
        remaining++;
      }
    }
    assertEquals(remaining, r.getRemainingPartitionsCount());
    assertTrue(
        r.getRemainingPartitionsList().stream().allMatch(tp -> tp.getTopic().equals("single")));
    // Broker 2 may not rejoin an ISR while it shuts down.
    for (int p = 0; p < 6; p++) {
      LeaderAndIsr s = state("t", p);
      if (before.get(p).isr().contains(2)) {
        FakeBroker leader = brokers.get(s.leader());
        AlterPartitionResponse ar =
            c.alterPartition(
                    AlterPartitionRequest.newBuilder()
                        .setBrokerId(leader.id)
                        .setBrokerEpoch(leader.epoch())
                        .addTopics(
                            AlterPartitionTopic.newBuilder()
                                .setTopic("t")
                                .addPartitions(
                                    AlterPartitionItem.newBuilder()
                                        .setPartition(p)
                                        .setLeaderEpoch(s.leaderEpoch())
                                        .setPartitionEpoch(s.partitionEpoch())
                                        .addNewIsr(leader.id)
                                        .addNewIsr(2)))
                        .build())
                .get(30, TimeUnit.SECONDS);
        assertEquals(ErrorCode.INELIGIBLE_REPLICA, ar.getTopics(0).getPartitions(0).getError());
        break;
      }
    }
  }
}
