package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import io.brook.controller.Controller;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsTopic;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ReassignablePartition;
import io.brook.protocol.v1.ReassignablePartitionResult;
import io.brook.protocol.v1.ReassignableTopic;
import io.brook.protocol.v1.ReplicaAssignment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition reassignment on four real brokers (real ZooKeeper, gRPC, log dirs), driven through the
 * active controller's AlterPartitionReassignments: a move from {1,2,3} to {2,3,4} under acks=all
 * load loses no acknowledged record, ends with the target replicas, ISR and leader, deletes the
 * removed replica's log and the replication throttles; a cancel mid-way restores the original
 * replicas; a controller failover mid-way resumes the move from the topic znode; invalid plans
 * change nothing (znode bytes identical); /admin/reassign_partitions is picked up and deleted.
 *
 * <p>To hold a move mid-way deterministically, the target broker is made unable to create the
 * partition's log (a plain file stands where its log dir would go), so it cannot follow and never
 * joins the ISR until the file is removed and it is restarted.
 */
class PartitionReassignmentTest {
  private static final Duration LONG = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void movesFromOneTwoThreeToTwoThreeFourUnderAcksAllLoad() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 4, Map.of())) {
      createTopic(cluster, "moving", 2, List.of(1, 2, 3));
      createTopic(cluster, "throttled", 1, List.of(1, 2, 3));
      CuratorFramework zk = cluster.anyRunning().zkClient();
      // Throttles as the tool sets them (written straight to ZooKeeper: the config API is another
      // change's): they must be gone once the move is over. Only partition 0 is named, so the lists
      // empty at once (a broker on this branch does not know the throttle keys yet).
      zk.setData()
          .forPath(
              ZkPaths.topicConfigPath("throttled"),
              ZkPaths.encodeConfig(
                  Map.of(
                      "file.delete.delay.ms", "0",
                      "leader.replication.throttled.replicas", "0:1,0:2,0:3",
                      "follower.replication.throttled.replicas", "0:4")));
      for (int b = 1; b <= 4; b++) {
        setBrokerConfig(
            zk,
            b,
            Map.of(
                "leader.replication.throttled.rate", "100000000",
                "follower.replication.throttled.rate", "100000000"));
      }

      List<String> acked = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      Thread producer =
          new Thread(
              () -> {
                try (BrookProducer<String, String> p = producer(cluster)) {
                  for (int i = 0; !stop.get(); i++) {
                    String v = "v" + i;
                    p.send(new ProducerRecord<>("moving", i % 2, "k" + i, v))
                        .get(60, TimeUnit.SECONDS);
                    synchronized (acked) {
                      acked.add(v);
                    }
                  }
                } catch (Throwable t) {
                  producerFailure.set(t);
                }
              },
              "acks-all-producer");
      producer.start();
      Wait.until(
          "100 records acknowledged", LONG, () -> size(acked) >= 100 || failed(producerFailure));

      AlterPartitionReassignmentsResponse r =
          alter(cluster, "moving", Map.of(0, List.of(2, 3, 4), 1, List.of(2, 3, 4)));
      assertEquals(ErrorCode.NONE, r.getError(), r.toString());
      assertEquals(
          ErrorCode.NONE, alter(cluster, "throttled", Map.of(0, List.of(2, 3, 4))).getError());

      for (int p = 0; p < 2; p++) {
        TopicPartition tp = new TopicPartition("moving", p);
        cluster.waitForPartition(
            tp,
            "replicas [2,3,4] with a full ISR",
            s ->
                s.getReplicasList().equals(List.of(2, 3, 4))
                    && new HashSet<>(s.getIsrList()).equals(Set.of(2, 3, 4))
                    && s.getAddingReplicasCount() == 0
                    && s.getRemovingReplicasCount() == 0);
      }
      Wait.until("no reassignment listed", LONG, () -> list(cluster).getTopicsCount() == 0);
      int before = size(acked);
      Wait.until(
          "100 more records acknowledged",
          LONG,
          () -> size(acked) >= before + 100 || failed(producerFailure));
      stop.set(true);
      producer.join(TimeUnit.SECONDS.toMillis(90));
      if (producerFailure.get() != null) {
        throw new AssertionError("the acks=all producer failed", producerFailure.get());
      }

      for (int p = 0; p < 2; p++) {
        TopicPartition tp = new TopicPartition("moving", p);
        PartitionState s = cluster.partitionState(tp).orElseThrow();
        assertEquals(2, s.getLeader(), "the first target replica leads " + tp);
        assertEquals(2, cluster.leader(tp).brokerId());
        Wait.until(
            "broker 1 deleted " + tp,
            LONG,
            () ->
                cluster.broker(1).replicaManager().partition(tp).isEmpty()
                    && !Files.exists(dir.resolve("broker-1").resolve(tp.toString())));
        assertTrue(cluster.broker(4).replicaManager().partition(tp).isPresent());
      }
      TopicAssignment a =
          ZkPaths.decodeTopic(
              "moving", zk.getData().forPath(ZkPaths.topicPath("moving")), UUID.randomUUID());
      assertEquals(List.of(2, 3, 4), a.replicasOf(0));
      assertEquals(List.of(2, 3, 4), a.replicasOf(1));
      assertFalse(a.isReassigning());

      // No acknowledged record lost.
      Set<String> read = new HashSet<>();
      for (ConsumerRecord<String, String> rec : consumeAll(cluster, "moving", 2, acked.size())) {
        read.add(rec.value());
      }
      List<String> missing = new ArrayList<>(acked);
      missing.removeAll(read);
      assertEquals(List.of(), missing, "acknowledged records missing");

      // Throttles removed: topic lists and broker rates.
      cluster.waitForPartition(
          new TopicPartition("throttled", 0),
          "moved to [2,3,4]",
          s -> s.getReplicasList().equals(List.of(2, 3, 4)) && s.getIsrCount() == 3);
      Map<String, String> topicConfig =
          ZkPaths.decodeConfig(zk.getData().forPath(ZkPaths.topicConfigPath("throttled")));
      assertFalse(
          topicConfig.containsKey("leader.replication.throttled.replicas"), topicConfig.toString());
      assertFalse(
          topicConfig.containsKey("follower.replication.throttled.replicas"),
          topicConfig.toString());
      assertEquals("0", topicConfig.get("file.delete.delay.ms"));
      for (int b = 1; b <= 4; b++) {
        Map<String, String> bc =
            ZkPaths.decodeConfig(zk.getData().forPath(ZkPaths.brokerConfigPath(b)));
        assertFalse(bc.containsKey("leader.replication.throttled.rate"), "broker " + b + " " + bc);
        assertFalse(
            bc.containsKey("follower.replication.throttled.rate"), "broker " + b + " " + bc);
      }
    }
  }

  @Test
  void cancelMidWayRestoresTheOriginalReplicasAndInvalidPlansChangeNothing() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 4, Map.of())) {
      createTopic(cluster, "held", 1, List.of(1, 2, 3));
      CuratorFramework zk = cluster.anyRunning().zkClient();
      TopicPartition tp = new TopicPartition("held", 0);
      produce(cluster, "held", 0, 20);

      // Invalid plans: refused as a whole, znodes unchanged.
      byte[] topicBefore = zk.getData().forPath(ZkPaths.topicPath("held"));
      byte[] stateBefore = zk.getData().forPath(ZkPaths.partitionStatePath("held", 0));
      AlterPartitionReassignmentsResponse dead =
          alter(cluster, "held", Map.of(0, List.of(2, 3, 5)));
      assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, dead.getError());
      assertEquals("held-0: Broker 5 is not live (live brokers: 1,2,3,4)", dead.getErrorMessage());
      AlterPartitionReassignmentsResponse dup = alter(cluster, "held", Map.of(0, List.of(2, 2, 4)));
      assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, dup.getError());
      AlterPartitionReassignmentsResponse empty = alter(cluster, "held", Map.of(0, List.of()));
      assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, empty.getError());
      // One good partition and one missing partition: nothing applied.
      AlterPartitionReassignmentsResponse mixed =
          alter(cluster, "held", Map.of(0, List.of(2, 3, 4), 3, List.of(1, 2, 3)));
      assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, mixed.getError());
      Map<Integer, ErrorCode> perPartition = new HashMap<>();
      for (ReassignablePartitionResult pr : mixed.getTopics(0).getPartitionsList()) {
        perPartition.put(pr.getPartition(), pr.getError());
      }
      assertEquals(ErrorCode.INVALID_REQUEST, perPartition.get(0));
      assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, perPartition.get(3));
      AlterPartitionReassignmentsResponse noTopic = alter(cluster, "nope", Map.of(0, List.of(1)));
      assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, noTopic.getError());
      AlterPartitionReassignmentsResponse cancelNothing = cancel(cluster, "held", 0);
      assertEquals(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, cancelNothing.getError());
      assertArrayEquals(topicBefore, zk.getData().forPath(ZkPaths.topicPath("held")));
      assertArrayEquals(stateBefore, zk.getData().forPath(ZkPaths.partitionStatePath("held", 0)));
      assertEquals(0, list(cluster).getTopicsCount());

      // Broker 4 cannot create the log: the move to {2,3,4} waits with 4 outside the ISR.
      Files.writeString(dir.resolve("broker-4").resolve(tp.toString()), "not a log dir");
      assertEquals(ErrorCode.NONE, alter(cluster, "held", Map.of(0, List.of(2, 3, 4))).getError());
      cluster.waitForPartition(
          tp,
          "replicas [2,3,4,1], adding 4, removing 1",
          s ->
              s.getReplicasList().equals(List.of(2, 3, 4, 1))
                  && s.getAddingReplicasList().equals(List.of(4))
                  && s.getRemovingReplicasList().equals(List.of(1)));
      ListPartitionReassignmentsResponse ongoing = list(cluster);
      assertEquals(1, ongoing.getTopicsCount());
      assertEquals(List.of(2, 3, 4, 1), ongoing.getTopics(0).getPartitions(0).getReplicasList());
      assertEquals(List.of(4), ongoing.getTopics(0).getPartitions(0).getAddingReplicasList());
      assertEquals(List.of(1), ongoing.getTopics(0).getPartitions(0).getRemovingReplicasList());
      assertFalse(cluster.partitionState(tp).orElseThrow().getIsrList().contains(4));

      // A topic being moved can be neither grown nor deleted.
      try (BrokerClient c = new BrokerClient(cluster.waitForController().boundPort())) {
        Controller controller = cluster.waitForController().controller();
        assertEquals(
            ErrorCode.REASSIGNMENT_IN_PROGRESS,
            controller
                .createPartitions(
                    CreatePartitionsRequest.newBuilder()
                        .addTopics(CreatePartitionsTopic.newBuilder().setName("held").setCount(2))
                        .build())
                .get(60, TimeUnit.SECONDS)
                .getResults(0)
                .getError());
        assertEquals(
            ErrorCode.REASSIGNMENT_IN_PROGRESS,
            controller
                .deleteTopics(DeleteTopicsRequest.newBuilder().addTopicNames("held").build())
                .get(60, TimeUnit.SECONDS)
                .getTopics(0)
                .getError());
      }

      // Cancel: back to the original replicas; broker 4's replica is stopped.
      assertEquals(ErrorCode.NONE, cancel(cluster, "held", 0).getError());
      PartitionState s =
          cluster.waitForPartition(
              tp,
              "back on {1,2,3} with no adding/removing",
              st ->
                  new HashSet<>(st.getReplicasList()).equals(Set.of(1, 2, 3))
                      && st.getAddingReplicasCount() == 0
                      && st.getRemovingReplicasCount() == 0);
      assertFalse(s.getIsrList().contains(4));
      assertEquals(0, list(cluster).getTopicsCount());
      Wait.until(
          "broker 4 has no replica of " + tp,
          LONG,
          () -> cluster.broker(4).replicaManager().partition(tp).isEmpty());
      assertFalse(
          ZkPaths.decodeTopic(
                  "held", zk.getData().forPath(ZkPaths.topicPath("held")), UUID.randomUUID())
              .isReassigning());
      assertEquals(20, consumeAll(cluster, "held", 1, 20).size());

      // /admin/reassign_partitions (Kafka's JSON) is picked up and deleted once recorded.
      Files.delete(dir.resolve("broker-4").resolve(tp.toString()));
      zk.create()
          .creatingParentsIfNeeded()
          .forPath(
              ZkPaths.REASSIGN_PARTITIONS,
              ("{\"version\":1,\"partitions\":[{\"topic\":\"held\",\"partition\":0,"
                      + "\"replicas\":[4,3,2],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      cluster.waitForPartition(
          tp,
          "moved to [4,3,2] through /admin/reassign_partitions",
          st ->
              st.getReplicasList().equals(List.of(4, 3, 2))
                  && st.getIsrCount() == 3
                  && st.getLeader() == 4);
      Wait.until(
          ZkPaths.REASSIGN_PARTITIONS + " deleted",
          LONG,
          () -> {
            try {
              return zk.checkExists().forPath(ZkPaths.REASSIGN_PARTITIONS) == null;
            } catch (Exception e) {
              return false;
            }
          });
      assertEquals(20, consumeAll(cluster, "held", 1, 20).size());
    }
  }

  @Test
  void aNewControllerResumesAReassignmentInProgress() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 4, Map.of())) {
      if (cluster.waitForController().brokerId() == 4) {
        cluster.restart(4); // broker 4 is the target that waits: keep the controller elsewhere
        cluster.waitForBrokers(4);
      }
      createTopic(cluster, "resumed", 1, List.of(1, 2, 3));
      TopicPartition tp = new TopicPartition("resumed", 0);
      produce(cluster, "resumed", 0, 20);
      Path blocker = dir.resolve("broker-4").resolve(tp.toString());
      Files.writeString(blocker, "not a log dir");
      assertEquals(
          ErrorCode.NONE, alter(cluster, "resumed", Map.of(0, List.of(2, 3, 4))).getError());
      cluster.waitForPartition(tp, "adding 4", s -> s.getAddingReplicasList().equals(List.of(4)));

      BrokerServer old = cluster.waitForController();
      int oldId = old.brokerId();
      old.close();
      Wait.until(
          "a new controller",
          LONG,
          () -> cluster.activeController().filter(b -> b.brokerId() != oldId).isPresent());
      ListPartitionReassignmentsResponse ongoing = list(cluster);
      assertEquals(1, ongoing.getTopicsCount(), "the new controller knows the move");
      assertEquals(List.of(4), ongoing.getTopics(0).getPartitions(0).getAddingReplicasList());

      // Broker 4 can follow again: the new controller completes the move.
      Files.delete(blocker);
      cluster.restart(4);
      cluster.waitForPartition(
          tp,
          "replicas [2,3,4] with a full ISR",
          s ->
              s.getReplicasList().equals(List.of(2, 3, 4))
                  && new HashSet<>(s.getIsrList()).equals(Set.of(2, 3, 4))
                  && s.getAddingReplicasCount() == 0);
      Wait.until("no reassignment listed", LONG, () -> list(cluster).getTopicsCount() == 0);
      cluster.restart(oldId);
      cluster.waitForBrokers(4);
      Wait.until(
          "broker 1 deleted its replica of " + tp,
          LONG,
          () ->
              cluster.broker(1).replicaManager().partition(tp).isEmpty()
                  && !Files.exists(dir.resolve("broker-1").resolve(tp.toString())));
      assertEquals(20, consumeAll(cluster, "resumed", 1, 20).size());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static int size(List<String> l) {
    synchronized (l) {
      return l.size();
    }
  }

  private static boolean failed(AtomicReference<Throwable> f) {
    return f.get() != null;
  }

  private static void setBrokerConfig(CuratorFramework zk, int b, Map<String, String> config)
      throws Exception {
    String path = ZkPaths.brokerConfigPath(b);
    if (zk.checkExists().forPath(path) == null) {
      zk.create().creatingParentsIfNeeded().forPath(path, ZkPaths.encodeConfig(config));
    } else {
      zk.setData().forPath(path, ZkPaths.encodeConfig(config));
    }
  }

  /** Creates {@code name} with every partition on {@code replicas}, waits for full ISRs. */
  private static void createTopic(
      TestCluster cluster, String name, int partitions, List<Integer> replicas) {
    CreatableTopic.Builder t =
        CreatableTopic.newBuilder()
            .setName(name)
            .setNumPartitions(-1)
            .setReplicationFactor(-1)
            .putConfigs("file.delete.delay.ms", "0")
            .putConfigs("min.insync.replicas", "2");
    for (int p = 0; p < partitions; p++) {
      t.addAssignments(ReplicaAssignment.newBuilder().setPartition(p).addAllBrokerIds(replicas));
    }
    try (BrokerClient c = new BrokerClient(cluster.anyRunning().boundPort())) {
      CreatableTopicResult r =
          c.call()
              .createTopics(
                  CreateTopicsRequest.newBuilder().setTimeoutMs(30_000).addTopics(t).build())
              .getTopics(0);
      assertEquals(ErrorCode.NONE, r.getError(), r.toString());
    }
    for (int p = 0; p < partitions; p++) {
      TopicPartition tp = new TopicPartition(name, p);
      cluster.waitForPartition(tp, "a full ISR", s -> s.getIsrCount() == replicas.size());
      cluster.leader(tp);
    }
  }

  private static AlterPartitionReassignmentsResponse alter(
      TestCluster cluster, String topic, Map<Integer, List<Integer>> targets) throws Exception {
    ReassignableTopic.Builder t = ReassignableTopic.newBuilder().setName(topic);
    new java.util.TreeMap<>(targets)
        .forEach(
            (p, rs) ->
                t.addPartitions(
                    ReassignablePartition.newBuilder().setPartition(p).addAllReplicas(rs)));
    return cluster
        .waitForController()
        .controller()
        .alterPartitionReassignments(
            AlterPartitionReassignmentsRequest.newBuilder()
                .addTopics(t)
                .setTimeoutMs(30_000)
                .build())
        .get(60, TimeUnit.SECONDS);
  }

  private static AlterPartitionReassignmentsResponse cancel(
      TestCluster cluster, String topic, int partition) throws Exception {
    return cluster
        .waitForController()
        .controller()
        .alterPartitionReassignments(
            AlterPartitionReassignmentsRequest.newBuilder()
                .addTopics(
                    ReassignableTopic.newBuilder()
                        .setName(topic)
                        .addPartitions(
                            ReassignablePartition.newBuilder()
                                .setPartition(partition)
                                .setCancel(true)))
                .build())
        .get(60, TimeUnit.SECONDS);
  }

  private static ListPartitionReassignmentsResponse list(TestCluster cluster) {
    try {
      return cluster
          .waitForController()
          .controller()
          .listPartitionReassignments(ListPartitionReassignmentsRequest.getDefaultInstance())
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void produce(TestCluster cluster, String topic, int partition, int n)
      throws Exception {
    try (BrookProducer<String, String> p = producer(cluster)) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static BrookProducer<String, String> producer(TestCluster cluster) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("acks", "all");
    c.put("linger.ms", "0");
    c.put("delivery.timeout.ms", "60000");
    c.put("request.timeout.ms", "30000");
    c.put("max.block.ms", "60000");
    c.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
    c.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
    return new BrookProducer<>(c);
  }

  private static List<ConsumerRecord<String, String>> consumeAll(
      TestCluster cluster, String topic, int partitions, int expected) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("fetch.max.wait.ms", "100");
    c.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    c.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(c)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (got.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(got::add);
      }
    }
    return got;
  }

  @SuppressWarnings("unused")
  private static Stream<Path> children(Path p) throws Exception {
    return Files.list(p);
  }
}
