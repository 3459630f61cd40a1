package io.brook.controller;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.controller.grpc.GrpcBrokerChannels;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataTopic;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.KillSession;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new controller taking over a cluster of more partitions than one ZooKeeper read batch: it loads
 * every partition state as written (partition epochs included) and tells each broker everything in
 * one LeaderAndIsr (its replicas) and one full UpdateMetadata (every partition).
 */
class ControllerTakeoverTest {
  private static final int PARTITIONS = 1_203; // three read batches of 500, the last one partial
  private ZkTestSupport zk;
  private MetadataStore store;
  private final Map<Integer, FakeBroker> brokers = new TreeMap<>();

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkTestSupport();
    store = new MetadataStore(zk.client());
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  private Controller controller(int id, CuratorFramework client) throws Exception {
    ControllerConfig cfg =
        ControllerConfig.fromProperties(
            id,
            Map.of(
                "request.timeout.ms", "5000",
                "retry.backoff.ms", "50",
                "auto.leader.rebalance.enable", "false"));
    GrpcBrokerChannels channels =
        new GrpcBrokerChannels(
            5000, 50, b -> InProcessChannelBuilder.forName("broker-" + b.id()).build());
    Controller c =
        zk.closeLater(new Controller(cfg, client, channels, Time.SYSTEM, new Random(id)));
    c.start();
    return c;
  }

  /** Topic "big": partition p on brokers [p%3+1, (p+1)%3+1], written straight into ZooKeeper. */
  private TopicAssignment writeBigTopic() {
    return writeBigTopic(p -> List.of(p % 3 + 1, (p + 1) % 3 + 1), true);
  }

  private TopicAssignment writeBigTopic(
      java.util.function.IntFunction<List<Integer>> assign, boolean someMoved) {
    SortedMap<Integer, List<Integer>> replicas = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      replicas.put(p, assign.apply(p));
    }
    TopicAssignment a = new TopicAssignment("big", UUID.randomUUID(), replicas);
    store.ensurePersistentPaths();
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(create(ZkPaths.topicPath("big"), ZkPaths.encodeTopic(a)));
    ops.add(create(ZkPaths.partitionsPath("big"), new byte[0]));
    for (var e : replicas.entrySet()) {
      int p = e.getKey();
      ops.add(create(ZkPaths.partitionPath("big", p), new byte[0]));
      ops.add(
          create(
              ZkPaths.partitionStatePath("big", p),
              ZkPaths.encodePartitionState(
                  LeaderAndIsr.initial(e.getValue().get(0), e.getValue(), 0))));
      if (ops.size() >= 400) {
        store.commit(ops);
        ops.clear();
      }
    }
    store.commit(ops);
    // Some partitions moved on since: a leader change to the second replica (partition epoch 1).
    for (int p = 0; someMoved && p < PARTITIONS; p += 97) {
      List<Integer> r = replicas.get(p);
      LeaderAndIsr moved = new LeaderAndIsr(r.get(1), 1, List.of(r.get(1)), 0, 0);
      store.setData(ZkPaths.partitionStatePath("big", p), ZkPaths.encodePartitionState(moved), 0);
    }
    return a;
  }

  private CuratorOp create(String path, byte[] data) {
    try {
      return store.ops().create().withMode(CreateMode.PERSISTENT).forPath(path, data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aNewControllerLoadsEveryStateAndSendsOneBatchedRequestOfEachKindPerBroker()
      throws Exception {
    TopicAssignment big = writeBigTopic();
    for (int id = 1; id <= 3; id++) {
      brokers.put(id, zk.closeLater(new FakeBroker(id, zk.client())));
    }
    CuratorFramework firstClient = zk.client();
    Controller first = controller(11, firstClient);
    waitFor(first::isActive, "first controller active");
    Controller second = controller(12, zk.client());
    // Kill the first only once the second is a candidate: otherwise the first, reconnecting with a
    // new session, can join the election again ahead of it and win it back.
    CuratorFramework observer = zk.client();
    waitFor(
        () -> {
          try {
            return observer.getChildren().forPath(ZkPaths.CONTROLLER_ELECTION).size() == 2;
          } catch (Exception e) {
            return false;
          }
        },
        "both controllers in the election");

    KillSession.kill(firstClient.getZookeeperClient().getZooKeeper());
    waitFor(() -> second.isActive() && second.controllerEpoch() == 2, "second controller active");
    for (FakeBroker b : brokers.values()) {
      waitFor(
          () -> !leaderAndIsr(b, 2).isEmpty() && !fullUpdates(b, 2).isEmpty(),
          "broker " + b.id + " told by controller epoch 2");
    }

    Map<TopicPartition, PartitionState> expected = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      LeaderAndIsr s = store.partitionState("big", p).orElseThrow();
      expected.put(
          new TopicPartition("big", p),
          PartitionState.newBuilder()
              .setTopic("big")
              .setPartition(p)
              .setLeader(s.leader())
              .setLeaderEpoch(s.leaderEpoch())
              .addAllIsr(s.isr())
              .setPartitionEpoch(s.partitionEpoch())
              .addAllReplicas(big.replicasOf(p))
              .build());
    }
    assertEquals(1, expected.get(new TopicPartition("big", 97)).getPartitionEpoch());

    for (FakeBroker b : brokers.values()) {
      List<LeaderAndIsrRequest> lai = leaderAndIsr(b, 2);
      assertEquals(1, lai.size(), "one LeaderAndIsr to broker " + b.id + ", saw " + lai.size());
      Map<TopicPartition, PartitionState> told = new HashMap<>();
      for (LeaderAndIsrTopic t : lai.get(0).getTopicsList()) {
        assertEquals(big.topicId().toString(), t.getTopicId());
        t.getPartitionsList()
            .forEach(ps -> told.put(new TopicPartition(t.getTopic(), ps.getPartition()), ps));
      }
      Map<TopicPartition, PartitionState> hosted = new HashMap<>();
      expected.forEach(
          (tp, ps) -> {
            if (ps.getReplicasList().contains(b.id)) {
              hosted.put(tp, ps);
            }
          });
      assertEquals(hosted, told, "LeaderAndIsr of broker " + b.id);
      Set<Integer> leaders = new TreeSet<>();
      lai.get(0).getLiveLeadersList().forEach(e -> leaders.add(e.getId()));
      Set<Integer> expectedLeaders = new TreeSet<>();
      told.values().forEach(ps -> expectedLeaders.add(ps.getLeader()));
      assertEquals(expectedLeaders, leaders, "live leaders named to broker " + b.id);
      assertEquals(b.epoch(), lai.get(0).getBrokerEpoch());

      List<UpdateMetadataRequest> um = fullUpdates(b, 2);
      assertEquals(1, um.size(), "one full UpdateMetadata to broker " + b.id);
      Map<TopicPartition, PartitionState> described = new HashMap<>();
      for (UpdateMetadataTopic t : um.get(0).getTopicsList()) {
        t.getPartitionsList()
            .forEach(ps -> described.put(new TopicPartition(t.getTopic(), ps.getPartition()), ps));
      }
      assertEquals(expected, described, "UpdateMetadata of broker " + b.id);
      Set<Integer> live = new TreeSet<>();
      for (BrokerEndpoint e : um.get(0).getLiveBrokersList()) {
        live.add(e.getId());
      }
      assertEquals(Set.of(1, 2, 3), live);
      assertEquals(b.epoch(), um.get(0).getBrokerEpoch());
    }
    assertTrue(
        store.partitionState("big", 0).orElseThrow().controllerEpoch() <= 1,
        "a takeover with every leader live writes no partition state");
  }

  @Test
  void aBrokerLossMovingMoreLeadersThanOneTransactionHoldsMovesThemAll() throws Exception {
    writeBigTopic(p -> List.of(1, 2), false);
    for (int id = 1; id <= 2; id++) {
      brokers.put(id, zk.closeLater(new FakeBroker(id, zk.client())));
    }
    Controller c = controller(11, zk.client());
    waitFor(c::isActive, "controller active");
    waitFor(() -> !leaderAndIsr(brokers.get(2), 1).isEmpty(), "broker 2 told");

    brokers.get(1).close();

    waitFor(
        () -> store.partitionState("big", PARTITIONS - 1).orElseThrow().leader() == 2,
        "last partition led by broker 2");
    for (int p = 0; p < PARTITIONS; p++) {
      LeaderAndIsr s = store.partitionState("big", p).orElseThrow();
      assertEquals(
          new LeaderAndIsr(2, 1, List.of(2), 1, 1), s, "state of big-" + p + " after the loss");
    }
    waitFor(
        () -> {
          Map<Integer, Integer> leaders = new HashMap<>();
          for (LeaderAndIsrRequest r : leaderAndIsr(brokers.get(2), 1)) {
            r.getTopicsList()
                .forEach(
                    t ->
                        t.getPartitionsList()
                            .forEach(ps -> leaders.put(ps.getPartition(), ps.getLeader())));
          }
          return leaders.size() == PARTITIONS && leaders.values().stream().allMatch(l -> l == 2);
        },
        "broker 2 told it leads every partition");
  }

  private static List<LeaderAndIsrRequest> leaderAndIsr(FakeBroker b, int controllerEpoch) {
    return b.leaderAndIsr.stream().filter(r -> r.getControllerEpoch() == controllerEpoch).toList();
  }

  private static List<UpdateMetadataRequest> fullUpdates(FakeBroker b, int controllerEpoch) {
    return b.updateMetadata.stream()
        .filter(r -> r.getControllerEpoch() == controllerEpoch && r.getFull())
        .toList();
  }
}
