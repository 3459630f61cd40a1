package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ElectLeadersPartitionResult;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ElectionType;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.TopicPartitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leadership after a broker restart, on a real three-broker cluster in this JVM: a restarted broker
 * leads nothing; ElectLeaders(PREFERRED) gives its partitions back (a second call is not needed);
 * the automatic rebalance does it unattended; ElectLeaders(UNCLEAN) brings back a partition whose
 * whole ISR is gone. The controller is called directly (broker forwarding is tested with the
 * tools).
 */
class PreferredLeaderElectionTest {
  private static final int PARTITIONS = 6;

  @TempDir Path dir;

  private static ElectLeadersResponse elect(TestCluster cluster, ElectLeadersRequest r)
      throws Exception {
    ElectLeadersResponse resp =
        cluster
            .waitForController()
            .controller()
            .electLeaders(r.toBuilder().setTimeoutMs(15_000).build())
            .get(60, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NONE, resp.getError(), resp.getErrorMessage());
    return resp;
  }

  private static Map<TopicPartition, ElectLeadersPartitionResult> results(ElectLeadersResponse r) {
    Map<TopicPartition, ElectLeadersPartitionResult> out = new TreeMap<>();
    r.getTopicsList()
        .forEach(
            t ->
                t.getPartitionsList()
                    .forEach(p -> out.put(new TopicPartition(t.getTopic(), p.getPartition()), p)));
    return out;
  }

  private static ElectLeadersRequest allPreferred() {
    return ElectLeadersRequest.newBuilder()
        .setElectionType(ElectionType.PREFERRED)
        .setAllPartitions(true)
        .build();
  }

  private static List<TopicPartition> partitions(String topic) {
    List<TopicPartition> out = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      out.add(new TopicPartition(topic, p));
    }
    return out;
  }

  /** Partitions of t whose preferred replica is {@code broker}. */
  private static List<TopicPartition> preferredBy(TestCluster cluster, String t, int broker) {
    List<TopicPartition> out = new ArrayList<>();
    for (TopicPartition tp : partitions(t)) {
      if (cluster.partitionState(tp).orElseThrow().getReplicas(0) == broker) {
        out.add(tp);
      }
    }
    assertFalse(out.isEmpty(), "broker " + broker + " is the preferred replica of some of " + t);
    return out;
  }

  /**
   * Stops broker 1, checks it leads nothing, starts it again and waits until it is in every ISR.
   */
  private static void restartBroker1(TestCluster cluster, String t) {
    cluster.stop(1);
    for (TopicPartition tp : partitions(t)) {
      cluster.waitForPartition(tp, "led by another broker", ps -> ps.getLeader() != 1);
    }
    cluster.restart(1);
    cluster.waitForBrokers(3);
    for (TopicPartition tp : partitions(t)) {
      cluster.waitForPartition(tp, "broker 1 back in the ISR", ps -> ps.getIsrList().contains(1));
    }
  }

  @Test
  void preferredElectionRestoresLeadershipAfterARestartThenIsNotNeeded() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(dir, 3, Map.of("auto.leader.rebalance.enable", "false"))) {
      cluster.createTopic("t", PARTITIONS, 3, Map.of());
      List<TopicPartition> ofBroker1 = preferredBy(cluster, "t", 1);
      Map<String, Object> pc = new HashMap<>();
      pc.put("bootstrap.servers", cluster.bootstrapServers());
      pc.put("acks", "all");
      pc.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
      pc.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
      try (BrookProducer<String, String> producer = new BrookProducer<>(pc)) {
        for (int i = 0; i < 10 * PARTITIONS; i++) {
          producer.send(new ProducerRecord<>("t", i % PARTITIONS, "k" + i, "v" + i));
        }
        producer.flush();
      }
      restartBroker1(cluster, "t");
      for (TopicPartition tp : ofBroker1) {
        assertNotEquals(1, cluster.partitionState(tp).orElseThrow().getLeader(), tp.toString());
      }

      Map<TopicPartition, ElectLeadersPartitionResult> first =
          results(elect(cluster, allPreferred()));
      for (TopicPartition tp : partitions("t")) {
        ElectLeadersPartitionResult r = first.get(tp);
        if (ofBroker1.contains(tp)) {
          assertEquals(ErrorCode.NONE, r.getError(), tp + ": " + r.getErrorMessage());
          assertEquals(1, r.getLeader(), tp.toString());
        } else {
          assertEquals(ErrorCode.ELECTION_NOT_NEEDED, r.getError(), tp + ": " + r);
        }
      }
      for (TopicPartition tp : partitions("t")) {
        int preferred = cluster.partitionState(tp).orElseThrow().getReplicas(0);
        cluster.waitForPartition(
            tp, "led by broker " + preferred, ps -> ps.getLeader() == preferred);
        assertEquals(preferred, cluster.leader(tp).brokerId(), tp + " is led by its preferred");
        try (BrokerClient c = new BrokerClient(cluster.leader(tp).boundPort())) {
          // The new leader's high watermark catches up once its followers fetch from it.
          Wait.until(
              tp + ": the new leader serves every acknowledged record",
              Duration.ofSeconds(60),
              () -> {
                FetchPartitionResponse f = c.fetch("t", tp.partition(), 0);
                return f.getError() == ErrorCode.NONE && f.getHighWatermark() == 10;
              });
        }
      }

      Map<TopicPartition, ElectLeadersPartitionResult> second =
          results(elect(cluster, allPreferred()));
      for (TopicPartition tp : partitions("t")) {
        assertEquals(ErrorCode.ELECTION_NOT_NEEDED, second.get(tp).getError(), tp.toString());
      }

      Map<TopicPartition, ElectLeadersPartitionResult> unknown =
          results(
              elect(
                  cluster,
                  ElectLeadersRequest.newBuilder()
                      .setElectionType(ElectionType.PREFERRED)
                      .addTopicPartitions(
                          TopicPartitions.newBuilder().setTopic("t").addPartitions(PARTITIONS))
                      .addTopicPartitions(
                          TopicPartitions.newBuilder().setTopic("nope").addPartitions(0))
                      .build()));
      assertEquals(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          unknown.get(new TopicPartition("t", PARTITIONS)).getError());
      assertEquals(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          unknown.get(new TopicPartition("nope", 0)).getError());
    }
  }

  @Test
  void automaticRebalanceRestoresLeadershipUnattended() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(
            dir,
            3,
            Map.of(
                "auto.leader.rebalance.enable", "true",
                "leader.imbalance.check.interval.seconds", "1"))) {
      cluster.createTopic("t", PARTITIONS, 3, Map.of());
      preferredBy(cluster, "t", 1);
      Map<TopicPartition, Integer> preferred = new TreeMap<>();
      for (TopicPartition tp : partitions("t")) {
        preferred.put(tp, cluster.partitionState(tp).orElseThrow().getReplicas(0));
      }
      cluster.stop(1);
      for (TopicPartition tp : partitions("t")) {
        cluster.waitForPartition(tp, "led by another broker", ps -> ps.getLeader() != 1);
      }
      cluster.restart(1);
      cluster.waitForBrokers(3);
      for (TopicPartition tp : partitions("t")) {
        int p = preferred.get(tp);
        PartitionState s =
            cluster.waitForPartition(
                tp,
                "led by its preferred replica " + p + " again",
                ps -> ps.getLeader() == p && ps.getIsrCount() == 3);
        assertEquals(p, s.getLeader());
        assertEquals(p, cluster.leader(tp).brokerId());
      }
    }
  }

  @Test
  void uncleanElectionBringsBackAPartitionWhoseIsrIsGone() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(dir, 3, Map.of("auto.leader.rebalance.enable", "false"))) {
      cluster.createTopic("u", 1, 2, Map.of());
      TopicPartition tp = new TopicPartition("u", 0);
      PartitionState created = cluster.partitionState(tp).orElseThrow();
      int a = created.getReplicas(0);
      int b = created.getReplicas(1);

      cluster.stop(b);
      cluster.waitForPartition(tp, "ISR [" + a + "]", ps -> ps.getIsrList().equals(List.of(a)));
      cluster.stop(a);
      cluster.restart(b);
      cluster.waitForBrokers(2);
      PartitionState offline = cluster.waitForPartition(tp, "offline", ps -> ps.getLeader() == -1);
      assertEquals(List.of(a), offline.getIsrList(), "the ISR keeps its last member");

      ElectLeadersRequest one =
          ElectLeadersRequest.newBuilder()
              .setElectionType(ElectionType.PREFERRED)
              .addTopicPartitions(TopicPartitions.newBuilder().setTopic("u").addPartitions(0))
              .build();
      assertEquals(
          ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
          results(elect(cluster, one)).get(tp).getError());

      ElectLeadersPartitionResult r =
          results(elect(cluster, one.toBuilder().setElectionType(ElectionType.UNCLEAN).build()))
              .get(tp);
      assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
      assertEquals(b, r.getLeader());
      cluster.waitForPartition(
          tp, "led by " + b, ps -> ps.getLeader() == b && ps.getIsrList().equals(List.of(b)));
      assertEquals(b, cluster.leader(tp).brokerId());

      assertEquals(
          ErrorCode.ELECTION_NOT_NEEDED,
          results(elect(cluster, one.toBuilder().setElectionType(ElectionType.UNCLEAN).build()))
              .get(tp)
              .getError());
    }
  }
}
