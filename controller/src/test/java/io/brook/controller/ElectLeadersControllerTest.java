package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.ElectLeadersPartitionResult;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ElectionType;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.TopicPartitions;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ElectLeaders and the automatic preferred-leader rebalance through a real controller on a real
 * ZooKeeper, with fake brokers; partition states are written to ZooKeeper before the controller
 * starts, as a cluster that lost and regained brokers would have left them. The rebalance timer is
 * a {@link ManualScheduler}.
 */
class ElectLeadersControllerTest {
  private ZkTestSupport zk;
  private MetadataStore store;
  private final ManualScheduler timer = new ManualScheduler();

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

  private Controller controller(int id, Map<String, String> props) throws Exception {
    Map<String, String> p = new HashMap<>(props);
    p.put("request.timeout.ms", "5000");
    p.put("retry.backoff.ms", "50");
    ControllerConfig cfg = ControllerConfig.fromProperties(id, p);
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000, 50, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build());
    Controller c =
        zk.closeLater(
            new Controller(cfg, zk.client(), channels, Time.SYSTEM, new Random(id), timer));
    c.start();
    waitFor(c::isActive, "controller active");
    fence(c);
    return c;
  }

  /**
   * Returns once every event enqueued before it on the controller's event thread has run (the rest
   * of becoming controller, a timer tick that {@link ManualScheduler#advance} enqueued): an
   * ElectLeaders call, answered on that thread, that changes nothing.
   */
  private static void fence(Controller c) throws Exception {
    ElectLeadersResponse r =
        c.electLeaders(ElectLeadersRequest.getDefaultInstance()).get(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.INVALID_REQUEST, r.getError());
  }

  /** Topic {@code t} with the given assignments and states (leader epoch 3 each). */
  private void topic(
      String t,
      Map<Integer, List<Integer>> replicas,
      Map<Integer, Integer> leaders,
      Map<Integer, List<Integer>> isrs) {
    store.create(
        ZkPaths.topicPath(t),
        ZkPaths.encodeTopic(new TopicAssignment(t, UUID.randomUUID(), new TreeMap<>(replicas))));
    for (int p : replicas.keySet()) {
      store.create(
          ZkPaths.partitionStatePath(t, p),
          ZkPaths.encodePartitionState(new LeaderAndIsr(leaders.get(p), 3, isrs.get(p), 0, 0)));
    }
  }

  private LeaderAndIsr state(String t, int p) {
    return store.partitionState(t, p).orElseThrow();
  }

  private static ElectLeadersRequest request(ElectionType type, String topic, Integer... parts) {
    return ElectLeadersRequest.newBuilder()
        .setElectionType(type)
        .addTopicPartitions(
            TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(List.of(parts)))
        .setTimeoutMs(10_000)
        .build();
  }

  private static ElectLeadersRequest all(ElectionType type) {
    return ElectLeadersRequest.newBuilder()
        .setElectionType(type)
        .setAllPartitions(true)
        .setTimeoutMs(10_000)
        .build();
  }

  private static ElectLeadersResponse call(Controller c, ElectLeadersRequest r) throws Exception {
    return c.electLeaders(r).get(30, TimeUnit.SECONDS);
  }

  /** "t-0" -> result, over every topic of the response. */
  private static Map<String, ElectLeadersPartitionResult> byPartition(ElectLeadersResponse r) {
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    Map<String, ElectLeadersPartitionResult> out = new TreeMap<>();
    r.getTopicsList()
        .forEach(
            t ->
                t.getPartitionsList()
                    .forEach(p -> out.put(t.getTopic() + "-" + p.getPartition(), p)));
    return out;
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

  private void imbalancedTopic() {
    // Broker 1 came back: it is in every ISR but leads nothing it prefers.
    topic(
        "t",
        Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1), 2, List.of(3, 1, 2), 3, List.of(1, 3, 2)),
        Map.of(0, 2, 1, 2, 2, 3, 3, 3),
        Map.of(0, List.of(2, 3, 1), 1, List.of(2, 3, 1), 2, List.of(3, 2, 1), 3, List.of(3, 2, 1)));
  }

  @Test
  void preferredElectionOfAllPartitionsRestoresLeadershipThenIsNotNeeded() throws Exception {
    FakeBroker b1 = broker(1);
    broker(2);
    broker(3);
    imbalancedTopic();
    Controller c = controller(2, Map.of("auto.leader.rebalance.enable", "false"));
    assertEquals(List.of(), timer.pending(), "no rebalance task when it is off");

    Map<String, ElectLeadersPartitionResult> first =
        byPartition(call(c, all(ElectionType.PREFERRED)));
    assertEquals(ErrorCode.NONE, first.get("t-0").getError(), first.get("t-0").getErrorMessage());
    assertEquals(1, first.get("t-0").getLeader());
    assertEquals(ErrorCode.ELECTION_NOT_NEEDED, first.get("t-1").getError());
    assertEquals(2, first.get("t-1").getLeader());
    assertEquals(ErrorCode.ELECTION_NOT_NEEDED, first.get("t-2").getError());
    assertEquals(ErrorCode.NONE, first.get("t-3").getError());
    assertEquals(1, first.get("t-3").getLeader());

    LeaderAndIsr s0 = state("t", 0);
    assertEquals(1, s0.leader());
    assertEquals(4, s0.leaderEpoch(), "the leader epoch moves");
    assertEquals(List.of(2, 3, 1), s0.isr(), "a preferred election keeps the ISR");
    assertEquals(1, s0.partitionEpoch(), "one conditional write");
    assertEquals(3, state("t", 1).leaderEpoch(), "partitions not elected are not written");
    // The answer comes once the leaders have been told.
    PartitionState told = lastToldState(b1, "t", 0);
    assertEquals(1, told.getLeader());
    assertEquals(4, told.getLeaderEpoch());

    Map<String, ElectLeadersPartitionResult> second =
        byPartition(call(c, all(ElectionType.PREFERRED)));
    assertEquals(4, second.size());
    second.forEach(
        (tp, r) -> assertEquals(ErrorCode.ELECTION_NOT_NEEDED, r.getError(), tp + " " + r));
  }

  @Test
  void preferredReplicaOutsideTheIsrOrDownIsNotAvailable() throws Exception {
    broker(2);
    broker(3);
    topic(
        "t",
        Map.of(0, List.of(1, 2), 1, List.of(3, 2)),
        Map.of(0, 2, 1, 2),
        Map.of(0, List.of(2, 1), 1, List.of(2)));
    Controller c = controller(2, Map.of());
    var r = byPartition(call(c, request(ElectionType.PREFERRED, "t", 0, 1)));
    assertEquals(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, r.get("t-0").getError());
    assertTrue(r.get("t-0").getErrorMessage().contains("not live"), r.get("t-0").getErrorMessage());
    assertEquals(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, r.get("t-1").getError());
    assertTrue(r.get("t-1").getErrorMessage().contains("ISR"), r.get("t-1").getErrorMessage());
    assertEquals(2, r.get("t-1").getLeader());
  }

  @Test
  void uncleanElectionOfAnOfflinePartitionPicksALiveReplicaOutsideTheIsr() throws Exception {
    FakeBroker b3 = broker(3);
    broker(2);
    // u-0 lost its whole ISR (broker 1); 2 and 3 are live but were out of sync. u-1 has a leader.
    topic(
        "u",
        Map.of(0, List.of(1, 3, 2), 1, List.of(2, 3)),
        Map.of(0, -1, 1, 2),
        Map.of(0, List.of(1), 1, List.of(2)));
    Controller c = controller(2, Map.of());
    assertEquals(-1, state("u", 0).leader(), "unclean.leader.election.enable is off");

    var preferred = byPartition(call(c, request(ElectionType.PREFERRED, "u", 0)));
    assertEquals(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, preferred.get("u-0").getError());
    assertEquals(-1, preferred.get("u-0").getLeader());

    var r = byPartition(call(c, request(ElectionType.UNCLEAN, "u", 0, 1)));
    assertEquals(ErrorCode.NONE, r.get("u-0").getError(), r.get("u-0").getErrorMessage());
    assertEquals(3, r.get("u-0").getLeader(), "first live replica in assignment order");
    assertEquals(ErrorCode.ELECTION_NOT_NEEDED, r.get("u-1").getError());
    assertEquals(2, r.get("u-1").getLeader());
    LeaderAndIsr s = state("u", 0);
    assertEquals(3, s.leader());
    assertEquals(List.of(3), s.isr());
    waitFor(
        () -> lastToldState(b3, "u", 0) != null && lastToldState(b3, "u", 0).getLeader() == 3,
        "broker 3 told it leads u-0");
  }

  @Test
  void unknownDeletedAndMalformedRequestsAreAnsweredPerPartition() throws Exception {
    broker(1);
    topic("t", Map.of(0, List.of(1)), Map.of(0, 1), Map.of(0, List.of(1)));
    // Topic d is being deleted; its replica (broker 9) is down, so the deletion cannot finish.
    topic("d", Map.of(0, List.of(9)), Map.of(0, -1), Map.of(0, List.of(9)));
    store.create(ZkPaths.deleteTopicPath("d"), ZkPaths.encodeDeleteTopicMarker());
    Controller c = controller(1, Map.of());

    ElectLeadersRequest mixed =
        ElectLeadersRequest.newBuilder()
            .setElectionType(ElectionType.PREFERRED)
            .addTopicPartitions(
                TopicPartitions.newBuilder().setTopic("t").addPartitions(0).addPartitions(5))
            .addTopicPartitions(TopicPartitions.newBuilder().setTopic("nope").addPartitions(0))
            .addTopicPartitions(TopicPartitions.newBuilder().setTopic("d").addPartitions(0))
            .build();
    var r = byPartition(call(c, mixed));
    assertEquals(ErrorCode.ELECTION_NOT_NEEDED, r.get("t-0").getError());
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, r.get("t-5").getError());
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, r.get("nope-0").getError());
    assertEquals(ErrorCode.INVALID_TOPIC, r.get("d-0").getError());

    var everything = byPartition(call(c, all(ElectionType.UNCLEAN)));
    assertEquals(List.of("t-0"), List.copyOf(everything.keySet()), "deleted topics are left out");

    ElectLeadersResponse neither =
        call(c, ElectLeadersRequest.newBuilder().setElectionType(ElectionType.PREFERRED).build());
    assertEquals(ErrorCode.INVALID_REQUEST, neither.getError());
    ElectLeadersResponse both =
        call(c, request(ElectionType.PREFERRED, "t", 0).toBuilder().setAllPartitions(true).build());
    assertEquals(ErrorCode.INVALID_REQUEST, both.getError());
  }

  @Test
  void aBrokerThatIsNotTheControllerAnswersNotController() throws Exception {
    broker(1);
    controller(1, Map.of());
    ControllerConfig cfg = ControllerConfig.fromProperties(2, Map.of());
    Controller other =
        zk.closeLater(
            new Controller(
                cfg,
                zk.client(),
                new GrpcBrokerChannels(
                    5000, 50, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build()),
                Time.SYSTEM,
                new Random(2),
                timer));
    other.start();
    assertEquals(ErrorCode.NOT_CONTROLLER, call(other, all(ElectionType.PREFERRED)).getError());
  }

  @Test
  void automaticRebalanceElectsPreferredLeadersOnTheTimerAboveTheThreshold() throws Exception {
    broker(1);
    broker(2);
    broker(3);
    imbalancedTopic();
    Controller c = controller(2, Map.of("leader.imbalance.check.interval.seconds", "60"));
    assertEquals(List.of("leader imbalance check"), timer.pending());

    timer.advance(4_999);
    fence(c);
    assertEquals(2, state("t", 0).leader(), "no check before the first delay");

    timer.advance(1); // first check 5 s after becoming controller
    waitFor(
        () -> state("t", 0).leader() == 1 && state("t", 3).leader() == 1,
        "broker 1 leads its preferred partitions again");
    assertEquals(2, state("t", 1).leader());
    assertEquals(3, state("t", 2).leader());
    assertEquals(4, state("t", 0).leaderEpoch());

    c.close();
    assertEquals(List.of(), timer.pending(), "the check stops with the controller");
  }

  @Test
  void automaticRebalanceLeavesAnImbalanceAtOrBelowTheThreshold() throws Exception {
    broker(1);
    broker(2);
    Map<Integer, List<Integer>> replicas = new HashMap<>();
    Map<Integer, Integer> leaders = new HashMap<>();
    Map<Integer, List<Integer>> isrs = new HashMap<>();
    for (int p = 0; p < 10; p++) {
      replicas.put(p, List.of(1, 2));
      leaders.put(p, p == 0 ? 2 : 1);
      isrs.put(p, List.of(1, 2));
    }
    topic("t", replicas, leaders, isrs); // broker 1: ratio 0.10, threshold 0.10
    Controller c = controller(1, Map.of("leader.imbalance.check.interval.seconds", "1"));
    timer.advance(1_000);
    fence(c);
    var r = byPartition(call(c, request(ElectionType.PREFERRED, "t", 1)));
    assertEquals(ErrorCode.ELECTION_NOT_NEEDED, r.get("t-1").getError());
    assertEquals(2, state("t", 0).leader(), "0.10 is not above 0.10");
    assertEquals(3, state("t", 0).leaderEpoch());
  }

  @Test
  void aPreferredReplicaElectionZnodeIsCarriedOutThenDeleted() throws Exception {
    broker(1);
    broker(2);
    broker(3);
    imbalancedTopic();
    // One request waiting when the controller starts: elected during failover.
    store.create(
        ZkPaths.PREFERRED_REPLICA_ELECTION,
        "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0}]}"
            .getBytes(StandardCharsets.UTF_8));
    Controller c = controller(2, Map.of("auto.leader.rebalance.enable", "false"));
    assertEquals(1, state("t", 0).leader());
    assertEquals(3, state("t", 3).leader(), "only what the request names");
    assertTrue(store.read(ZkPaths.PREFERRED_REPLICA_ELECTION).isEmpty(), "request deleted");

    // A malformed request is deleted too; a later one is still picked up.
    store.create(ZkPaths.PREFERRED_REPLICA_ELECTION, "nonsense".getBytes(StandardCharsets.UTF_8));
    waitFor(() -> store.read(ZkPaths.PREFERRED_REPLICA_ELECTION).isEmpty(), "bad request deleted");
    store.create(
        ZkPaths.PREFERRED_REPLICA_ELECTION,
        "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":3},{\"topic\":\"x\",\"partition\":0}]}"
            .getBytes(StandardCharsets.UTF_8));
    waitFor(() -> state("t", 3).leader() == 1, "t-3 back to its preferred leader");
    waitFor(() -> store.read(ZkPaths.PREFERRED_REPLICA_ELECTION).isEmpty(), "request deleted");
    fence(c);
  }

  @Test
  void preferredReplicaElectionPayloadsDecode() {
    assertEquals(
        List.of(
            new io.brook.common.TopicPartition("a", 1), new io.brook.common.TopicPartition("b", 0)),
        LeaderElections.decodePreferredReplicaElection(
            "{\"version\":1,\"partitions\":[{\"topic\":\"a\",\"partition\":1},{\"topic\":\"b\",\"partition\":0},{\"topic\":\"a\",\"partition\":1}]}"
                .getBytes(StandardCharsets.UTF_8)));
    for (String bad : List.of("nonsense", "{}", "{\"partitions\":[{\"topic\":\"a\"}]}")) {
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class,
          () ->
              LeaderElections.decodePreferredReplicaElection(bad.getBytes(StandardCharsets.UTF_8)),
          bad);
    }
  }
}
