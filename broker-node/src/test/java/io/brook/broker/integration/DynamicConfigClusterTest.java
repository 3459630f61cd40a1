package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.replica.Partition;
import io.brook.broker.replica.ReplicationQuota;
import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.Batches;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.common.TopicPartition;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AlterConfigOpType;
import io.brook.protocol.v1.AlterConfigsResource;
import io.brook.protocol.v1.AlterConfigsResourceResult;
import io.brook.protocol.v1.AlterableConfig;
import io.brook.protocol.v1.ConfigEntry;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ConfigResourceType;
import io.brook.protocol.v1.ConfigSource;
import io.brook.protocol.v1.ControllerServiceGrpc;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResult;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ReplicaAssignment;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic configs on real brokers (real ZooKeeper, real gRPC): IncrementalAlterConfigs through the
 * controller changes topic configs on every replica without a restart, dynamic broker configs (per
 * broker and cluster default) apply to logs and show in DescribeConfigs with their source, refused
 * changes leave the znodes alone, and the replication throttle skips only throttled partitions
 * while its quota is spent and lets them catch up once removed.
 */
class DynamicConfigClusterTest {
  static final Duration LONG = Duration.ofSeconds(90);

  @TempDir Path dir;
  TestCluster cluster;

  void start(int n, Map<String, String> extra) throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("controlled.shutdown.enable", "false");
    props.put("replica.fetch.backoff.ms", "200");
    props.put("replica.fetch.wait.max.ms", "200");
    props.putAll(extra);
    cluster = TestCluster.start(dir.resolve("c" + System.nanoTime()), n, props);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static AlterableConfig set(String k, String v) {
    return AlterableConfig.newBuilder().setName(k).setOp(AlterConfigOpType.SET).setValue(v).build();
  }

  static AlterableConfig delete(String k) {
    return AlterableConfig.newBuilder().setName(k).setOp(AlterConfigOpType.DELETE).build();
  }

  static IncrementalAlterConfigsRequest request(
      ConfigResourceType type, String name, AlterableConfig... ops) {
    return IncrementalAlterConfigsRequest.newBuilder()
        .addResources(
            AlterConfigsResource.newBuilder()
                .setResource(ConfigResource.newBuilder().setType(type).setName(name))
                .addAllConfigs(List.of(ops)))
        .build();
  }

  /** Through the active controller's Controller object. */
  AlterConfigsResourceResult alter(ConfigResourceType type, String name, AlterableConfig... ops)
      throws Exception {
    AlterConfigsResourceResult r =
        cluster
            .waitForController()
            .controller()
            .incrementalAlterConfigs(request(type, name, ops))
            .get(30, TimeUnit.SECONDS)
            .getResults(0);
    return r;
  }

  void alterOk(ConfigResourceType type, String name, AlterableConfig... ops) throws Exception {
    AlterConfigsResourceResult r = alter(type, name, ops);
    assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
  }

  static Optional<Log> log(BrokerServer b, TopicPartition tp) {
    return b.isRunning() ? b.replicaManager().partition(tp).map(Partition::log) : Optional.empty();
  }

  static long leo(BrokerServer b, TopicPartition tp) {
    return log(b, tp).map(Log::logEndOffset).orElse(-1L);
  }

  static Map<String, ConfigEntry> describe(BrokerServer b, ConfigResourceType type, String name) {
    try (BrokerClient c = new BrokerClient(b.boundPort())) {
      DescribeConfigsResult r =
          c.call()
              .describeConfigs(
                  DescribeConfigsRequest.newBuilder()
                      .addResources(ConfigResource.newBuilder().setType(type).setName(name))
                      .build())
              .getResults(0);
      assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
      Map<String, ConfigEntry> m = new HashMap<>();
      r.getEntriesList().forEach(e -> m.put(e.getName(), e));
      return m;
    }
  }

  @Test
  void topicConfigChangeIsAppliedOnEveryReplicaWithoutRestart() throws Exception {
    start(3, Map.of());
    cluster.createTopic("t", 2, 3, Map.of());
    alterOk(
        ConfigResourceType.TOPIC,
        "t",
        set("retention.ms", "1000"),
        set("max.message.bytes", "2048"));
    for (int p = 0; p < 2; p++) {
      TopicPartition tp = new TopicPartition("t", p);
      Wait.until(
          "retention.ms=1000 and max.message.bytes=2048 on every replica of " + tp,
          LONG,
          () ->
              cluster.brokers().stream()
                  .allMatch(
                      b ->
                          log(b, tp)
                              .map(
                                  l ->
                                      l.config().retentionMs() == 1000
                                          && l.config().maxMessageBytes() == 2048)
                              .orElse(false)));
    }
    // The leader enforces the new limit.
    TopicPartition t0 = new TopicPartition("t", 0);
    BrokerServer leader = cluster.leader(t0);
    try (BrokerClient c = new BrokerClient(leader.boundPort())) {
      PartitionProduceResponse big = c.produceOne(1, "t", 0, Batches.ofSize(4000));
      assertEquals(ErrorCode.RECORD_TOO_LARGE, big.getError());
      PartitionProduceResponse small = c.produceOne(1, "t", 0, Batches.ofSize(100));
      assertEquals(ErrorCode.NONE, small.getError());
    }
    // Described as the topic's override.
    ConfigEntry retention = describe(leader, ConfigResourceType.TOPIC, "t").get("retention.ms");
    assertEquals("1000", retention.getValue());
    assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.getSource());

    // Deleting the override brings back the default on every replica.
    alterOk(ConfigResourceType.TOPIC, "t", delete("max.message.bytes"));
    Wait.until(
        "max.message.bytes back to its default everywhere",
        LONG,
        () ->
            cluster.brokers().stream()
                .allMatch(
                    b ->
                        log(b, t0)
                            .map(l -> l.config().maxMessageBytes() == 1048588)
                            .orElse(false)));
  }

  @Test
  void dynamicBrokerConfigsApplyAndAreDescribedWithTheirSource() throws Exception {
    start(2, Map.of("log.retention.hours", "100"));
    cluster.createTopic("u", 1, 2, Map.of());
    TopicPartition u0 = new TopicPartition("u", 0);
    BrokerServer b1 = cluster.broker(1);
    BrokerServer b2 = cluster.broker(2);

    ConfigEntry before = describe(b1, ConfigResourceType.TOPIC, "u").get("retention.ms");
    assertEquals(ConfigSource.STATIC_BROKER_CONFIG, before.getSource());
    assertEquals("360000000", before.getValue());

    alterOk(ConfigResourceType.BROKER, "", set("log.retention.ms", "3600000"));
    alterOk(
        ConfigResourceType.BROKER,
        "2",
        set("log.retention.ms", "7200000"),
        set("leader.replication.throttled.rate", "5000"));

    Wait.until(
        "the dynamic retention on both brokers' logs of u-0",
        LONG,
        () ->
            log(b1, u0).map(l -> l.config().retentionMs() == 3_600_000L).orElse(false)
                && log(b2, u0).map(l -> l.config().retentionMs() == 7_200_000L).orElse(false));
    Wait.until(
        "broker 2's leader throttle rate",
        LONG,
        () -> b2.replicaManager().leaderQuota().rate() == 5000);
    assertEquals(Long.MAX_VALUE, b1.replicaManager().leaderQuota().rate());

    ConfigEntry r1 = describe(b1, ConfigResourceType.TOPIC, "u").get("retention.ms");
    assertEquals("3600000", r1.getValue());
    assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, r1.getSource());
    ConfigEntry r2 = describe(b2, ConfigResourceType.TOPIC, "u").get("retention.ms");
    assertEquals("7200000", r2.getValue());
    assertEquals(ConfigSource.DYNAMIC_BROKER_CONFIG, r2.getSource());

    Map<String, ConfigEntry> broker2 = describe(b2, ConfigResourceType.BROKER, "2");
    assertEquals("5000", broker2.get("leader.replication.throttled.rate").getValue());
    assertEquals(
        ConfigSource.DYNAMIC_BROKER_CONFIG,
        broker2.get("leader.replication.throttled.rate").getSource());
    assertFalse(broker2.get("leader.replication.throttled.rate").getReadOnly());
    assertEquals(ConfigSource.DYNAMIC_BROKER_CONFIG, broker2.get("log.retention.ms").getSource());
    assertEquals(ConfigSource.STATIC_BROKER_CONFIG, broker2.get("broker.id").getSource());
    assertTrue(broker2.get("broker.id").getReadOnly());
    Map<String, ConfigEntry> broker1 = describe(b1, ConfigResourceType.BROKER, "1");
    assertEquals(
        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, broker1.get("log.retention.ms").getSource());
    assertEquals(
        ConfigSource.DEFAULT_CONFIG, broker1.get("leader.replication.throttled.rate").getSource());
    // Broker 1 describes broker 2's dynamic configs from ZooKeeper.
    Map<String, ConfigEntry> other = describe(b1, ConfigResourceType.BROKER, "2");
    assertEquals("5000", other.get("leader.replication.throttled.rate").getValue());
    assertEquals(
        ConfigSource.DYNAMIC_BROKER_CONFIG,
        other.get("leader.replication.throttled.rate").getSource());
    assertEquals("7200000", other.get("log.retention.ms").getValue());
    Map<String, ConfigEntry> defaults = describe(b1, ConfigResourceType.BROKER, "");
    assertEquals("3600000", defaults.get("log.retention.ms").getValue());
    assertEquals(
        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, defaults.get("log.retention.ms").getSource());

    // The per-broker key going leaves the default in force on broker 2.
    alterOk(ConfigResourceType.BROKER, "2", delete("log.retention.ms"));
    Wait.until(
        "broker 2 back on the cluster default",
        LONG,
        () -> log(b2, u0).map(l -> l.config().retentionMs() == 3_600_000L).orElse(false));
    // A broker restarted reads its dynamic config at start.
    BrokerServer again = cluster.restart(2);
    assertEquals(5000, again.replicaManager().leaderQuota().rate());
    Wait.until(
        "restarted broker 2 uses the default retention",
        LONG,
        () -> log(again, u0).map(l -> l.config().retentionMs() == 3_600_000L).orElse(false));
  }

  @Test
  void refusedChangesThroughTheControllerServiceChangeNothing() throws Exception {
    start(2, Map.of());
    cluster.createTopic("v", 1, 2, Map.of());
    alterOk(ConfigResourceType.TOPIC, "v", set("retention.ms", "50000"));
    alterOk(ConfigResourceType.BROKER, "1", set("log.retention.ms", "50000"));
    MetadataStore store = new MetadataStore(cluster.broker(1).zkClient());
    Versioned<byte[]> topicBefore = store.read(ZkPaths.topicConfigPath("v")).orElseThrow();
    Versioned<byte[]> brokerBefore = store.read(ZkPaths.brokerConfigPath("1")).orElseThrow();

    BrokerServer controller = cluster.waitForController();
    ManagedChannel ch =
        ManagedChannelBuilder.forAddress("127.0.0.1", controller.boundPort())
            .usePlaintext()
            .build();
    try {
      var stub = ControllerServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
      List<AlterConfigsResourceResult> results =
          stub.incrementalAlterConfigs(
                  IncrementalAlterConfigsRequest.newBuilder()
                      .addResources(
                          request(
                                  ConfigResourceType.TOPIC,
                                  "v",
                                  set("retention.ms", "1"),
                                  set("no.such.key", "1"))
                              .getResources(0))
                      .addResources(
                          request(ConfigResourceType.TOPIC, "v", set("retention.ms", "later"))
                              .getResources(0))
                      .addResources(
                          request(
                                  ConfigResourceType.BROKER,
                                  "1",
                                  set("log.retention.ms", "1"),
                                  set("broker.id", "5"))
                              .getResources(0))
                      .addResources(
                          request(ConfigResourceType.BROKER, "1", set("foo", "1")).getResources(0))
                      .build())
              .getResultsList();
      assertEquals(ErrorCode.INVALID_CONFIG, results.get(0).getError());
      assertEquals("Unknown topic config 'no.such.key'", results.get(0).getErrorMessage());
      assertEquals(ErrorCode.INVALID_CONFIG, results.get(1).getError());
      assertEquals(
          "Invalid value later for configuration retention.ms: Not a number of type LONG",
          results.get(1).getErrorMessage());
      assertEquals(
          "Cannot update these configs dynamically: [broker.id]", results.get(2).getErrorMessage());
      assertEquals("Unknown broker config 'foo'", results.get(3).getErrorMessage());
    } finally {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    assertEquals(
        topicBefore.version(), store.read(ZkPaths.topicConfigPath("v")).orElseThrow().version());
    assertEquals(
        brokerBefore.version(), store.read(ZkPaths.brokerConfigPath("1")).orElseThrow().version());
    TopicPartition v0 = new TopicPartition("v", 0);
    for (BrokerServer b : cluster.brokers()) {
      assertEquals(50000, log(b, v0).orElseThrow().config().retentionMs());
    }
  }

  @Test
  void throttledReplicaIsSkippedWhileTheQuotaIsSpentAndCatchesUpOnceRemoved() throws Exception {
    // Small partition fetches so that one fetch cannot carry the whole backlog.
    start(2, Map.of("replica.fetch.max.bytes", "4096"));
    try (BrokerClient c = new BrokerClient(cluster.anyRunning().boundPort())) {
      var r =
          c.call()
              .createTopics(
                  CreateTopicsRequest.newBuilder()
                      .setTimeoutMs(30_000)
                      .addTopics(
                          CreatableTopic.newBuilder()
                              .setName("th")
                              .setNumPartitions(-1)
                              .setReplicationFactor(-1)
                              .addAssignments(
                                  ReplicaAssignment.newBuilder()
                                      .setPartition(0)
                                      .addBrokerIds(1)
                                      .addBrokerIds(2))
                              .addAssignments(
                                  ReplicaAssignment.newBuilder()
                                      .setPartition(1)
                                      .addBrokerIds(1)
                                      .addBrokerIds(2)))
                      .build())
              .getTopics(0);
      assertEquals(ErrorCode.NONE, r.getError(), r.getErrorMessage());
    }
    TopicPartition p0 = new TopicPartition("th", 0);
    TopicPartition p1 = new TopicPartition("th", 1);
    cluster.waitForPartition(p0, "full ISR", ps -> ps.getIsrCount() == 2 && ps.getLeader() == 1);
    cluster.waitForPartition(p1, "full ISR", ps -> ps.getIsrCount() == 2 && ps.getLeader() == 1);

    // Broker 2 goes away; broker 1 takes a backlog on both partitions.
    cluster.stop(2);
    cluster.waitForPartition(p0, "ISR [1]", ps -> ps.getIsrList().equals(List.of(1)));
    cluster.waitForPartition(p1, "ISR [1]", ps -> ps.getIsrList().equals(List.of(1)));
    BrokerServer b1 = cluster.broker(1);
    try (BrokerClient c = new BrokerClient(b1.boundPort())) {
      for (int i = 0; i < 60; i++) {
        for (int p = 0; p < 2; p++) {
          assertEquals(ErrorCode.NONE, c.produceOne(1, "th", p, Batches.ofSize(2000)).getError());
        }
      }
    }

    // Throttle partition 0 only: leader side on broker 1, follower side on broker 2, 1000 B/s.
    alterOk(
        ConfigResourceType.TOPIC,
        "th",
        set("leader.replication.throttled.replicas", "0:1"),
        set("follower.replication.throttled.replicas", "0:2"));
    alterOk(ConfigResourceType.BROKER, "1", set("leader.replication.throttled.rate", "1000"));
    alterOk(ConfigResourceType.BROKER, "2", set("follower.replication.throttled.rate", "1000"));
    ReplicationQuota leaderQuota = b1.replicaManager().leaderQuota();
    Wait.until(
        "broker 1 throttles th-0 at 1000 B/s",
        LONG,
        () -> leaderQuota.rate() == 1000 && leaderQuota.isThrottled(p0));
    assertFalse(leaderQuota.isThrottled(p1));

    BrokerServer b2 = cluster.restart(2);
    ReplicationQuota followerQuota = b2.replicaManager().followerQuota();
    long leaderEnd0 = leo(b1, p0);
    long leaderEnd1 = leo(b1, p1);
    Wait.until("th-1 (not throttled) caught up on broker 2", LONG, () -> leo(b2, p1) == leaderEnd1);
    cluster.waitForPartition(p1, "broker 2 back in the ISR", ps -> ps.getIsrCount() == 2);
    Wait.until(
        "broker 2 skipped th-0 while its follower quota was spent",
        LONG,
        () -> followerQuota.skips(p0) > 0);
    // 120 KB at 1000 B/s cannot have arrived while th-1 caught up.
    assertTrue(leo(b2, p0) < leaderEnd0, "th-0 is still behind: " + leo(b2, p0));
    assertEquals(0, followerQuota.skips(p1));
    assertEquals(0, leaderQuota.skips(p1));
    assertTrue(followerQuota.recordedBytes() > 0);
    assertTrue(leaderQuota.recordedBytes() > 0);

    // Without a follower limit, the leader's own quota holds th-0 back.
    alterOk(ConfigResourceType.BROKER, "2", delete("follower.replication.throttled.rate"));
    Wait.until(
        "broker 1 skipped th-0 while its leader quota was spent",
        LONG,
        () -> leaderQuota.skips(p0) > 0);
    assertEquals(0, leaderQuota.skips(p1));
    assertTrue(leo(b2, p0) < leaderEnd0);

    // Removing the throttle lets th-0 catch up and rejoin the ISR.
    alterOk(
        ConfigResourceType.TOPIC,
        "th",
        delete("leader.replication.throttled.replicas"),
        delete("follower.replication.throttled.replicas"));
    Wait.until("th-0 caught up on broker 2", LONG, () -> leo(b2, p0) == leaderEnd0);
    cluster.waitForPartition(p0, "broker 2 back in the ISR", ps -> ps.getIsrCount() == 2);
    assertFalse(leaderQuota.isThrottled(p0));
  }
}
