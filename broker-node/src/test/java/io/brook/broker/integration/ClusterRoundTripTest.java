package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.admin.Admin;
import io.brook.client.admin.NewTopic;
import io.brook.client.admin.TopicDescription;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.common.Header;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.TopicMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real brokers with a real controller on a real ZooKeeper, driven through the client SDK and
 * raw gRPC: produce / consume round trips (keys, headers, every codec, acks 0 / 1 / all),
 * single-replica partitions spread over the brokers, admin calls forwarded to the controller, and
 * the admin errors.
 */
class ClusterRoundTripTest {
  @TempDir static Path dir;
  static TestCluster cluster;
  static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(dir, 3, Map.of());
    Properties p = new Properties();
    p.put("bootstrap.servers", cluster.bootstrapServers());
    p.put("request.timeout.ms", "30000");
    p.put("default.api.timeout.ms", "60000");
    admin = Admin.create(p);
  }

  @AfterAll
  static void stop() throws Exception {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void createTopic(String name, int partitions, Map<String, String> configs)
      throws Exception {
    admin
        .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
        .all()
        .get(60, TimeUnit.SECONDS);
    Wait.until(
        "leaders of " + name + " known to every broker",
        () ->
            cluster.brokers().stream()
                .allMatch(
                    b ->
                        b.metadataCache().topic(name).isPresent()
                            && b.metadataCache().topic(name).get().partitions().size() == partitions
                            && b.metadataCache().topic(name).get().partitions().values().stream()
                                .allMatch(s -> s.getLeader() >= 0)));
  }

  private static BrookProducer<String, String> producer(String acks, String compression) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("acks", acks);
    c.put("compression.type", compression);
    c.put("linger.ms", "5");
    c.put("delivery.timeout.ms", "60000");
    c.put("request.timeout.ms", "30000");
    c.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
    c.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
    return new BrookProducer<>(c);
  }

  private static BrookConsumer<String, String> consumer() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("fetch.max.wait.ms", "100");
    c.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    c.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    return new BrookConsumer<>(c);
  }

  private static List<ConsumerRecord<String, String>> consumeAll(
      String topic, int partitions, int expected) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (BrookConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (got.size() < expected && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        records.forEach(got::add);
      }
    }
    assertEquals(expected, got.size(), "records consumed from " + topic);
    return got;
  }

  @Test
  void roundTripWithKeysHeadersEveryCodecAndEveryAcks() throws Exception {
    String[][] cases = {
      {"none", "1"}, {"gzip", "all"}, {"lz4", "1"}, {"zstd", "all"}, {"snappy", "1"}, {"none", "0"}
    };
    for (String[] c : cases) {
      String codec = c[0];
      String acks = c[1];
      String topic = "rt-" + codec + "-acks" + acks;
      createTopic(topic, 3, Map.of());
      int n = 200;
      try (BrookProducer<String, String> producer = producer(acks, codec)) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ProducerRecord<String, String> r =
              new ProducerRecord<>(
                  topic,
                  null,
                  "key-" + (i % 17),
                  "value-" + i,
                  List.of(new Header("h", ("hv-" + i).getBytes(StandardCharsets.UTF_8))));
          sent.add(producer.send(r));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
          RecordMetadata md = f.get(60, TimeUnit.SECONDS);
          assertNotNull(md);
        }
      }
      List<ConsumerRecord<String, String>> got = consumeAll(topic, 3, n);
      Set<String> values = new HashSet<>();
      Map<String, Integer> partitionOfKey = new HashMap<>();
      for (ConsumerRecord<String, String> r : got) {
        values.add(r.value());
        int i = Integer.parseInt(r.value().substring("value-".length()));
        assertEquals("key-" + (i % 17), r.key(), codec);
        assertEquals(
            "hv-" + i,
            new String(r.headers().lastHeader("h").value(), StandardCharsets.UTF_8),
            codec);
        Integer before = partitionOfKey.putIfAbsent(r.key(), r.partition());
        if (before != null) {
          assertEquals(before, r.partition(), "one key, one partition");
        }
      }
      assertEquals(n, values.size(), "every record exactly once for " + codec + " acks=" + acks);
    }
  }

  @Test
  void singleReplicaPartitionsAreSpreadOverTheBrokers() throws Exception {
    createTopic("spread", 6, Map.of());
    TopicDescription d =
        admin
            .describeTopics(List.of("spread"))
            .allTopicNames()
            .get(60, TimeUnit.SECONDS)
            .get("spread");
    Set<Integer> leaders = new HashSet<>();
    d.partitions().forEach(p -> leaders.add(p.leader().id()));
    assertEquals(Set.of(1, 2, 3), leaders, "leaders of 6 partitions on 3 brokers");
    // Each broker holds exactly the logs of the partitions it leads.
    for (BrokerServer b : cluster.brokers()) {
      long held =
          b.logManager().allLogs().stream()
              .filter(l -> l.topicPartition().topic().equals("spread"))
              .count();
      long led = d.partitions().stream().filter(p -> p.leader().id() == b.brokerId()).count();
      assertEquals(led, held, "logs on broker " + b.brokerId());
    }
    try (BrookProducer<String, String> producer = producer("all", "none")) {
      for (int i = 0; i < 60; i++) {
        producer
            .send(new ProducerRecord<>("spread", i % 6, null, "v" + i))
            .get(60, TimeUnit.SECONDS);
      }
    }
    consumeAll("spread", 6, 60);
  }

  /** CreateTopics through a broker that is not the controller, over raw gRPC. */
  private static CreatableTopicResult createRaw(CreatableTopic t) {
    BrokerServer notController =
        cluster.brokers().stream().filter(b -> !b.isController()).findFirst().orElseThrow();
    try (BrokerClient c = new BrokerClient(notController.boundPort())) {
      return c.call()
          .createTopics(CreateTopicsRequest.newBuilder().addTopics(t).setTimeoutMs(30_000).build())
          .getTopics(0);
    }
  }

  @Test
  void adminErrorsAreClear() {
    CreatableTopicResult rf =
        createRaw(
            CreatableTopic.newBuilder()
                .setName("rf4")
                .setNumPartitions(1)
                .setReplicationFactor(4)
                .build());
    assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, rf.getError(), rf.getErrorMessage());
    assertTrue(
        rf.getErrorMessage().contains("4") && rf.getErrorMessage().contains("3"),
        rf.getErrorMessage());

    CreatableTopicResult unknownConfig =
        createRaw(
            CreatableTopic.newBuilder()
                .setName("cfg1")
                .setNumPartitions(1)
                .setReplicationFactor(1)
                .putConfigs("no.such.config", "1")
                .build());
    assertEquals(
        ErrorCode.INVALID_CONFIG, unknownConfig.getError(), unknownConfig.getErrorMessage());
    assertTrue(
        unknownConfig.getErrorMessage().contains("no.such.config"),
        unknownConfig.getErrorMessage());

    CreatableTopicResult badValue =
        createRaw(
            CreatableTopic.newBuilder()
                .setName("cfg2")
                .setNumPartitions(1)
                .setReplicationFactor(1)
                .putConfigs("retention.ms", "soon")
                .build());
    assertEquals(ErrorCode.INVALID_CONFIG, badValue.getError(), badValue.getErrorMessage());
    assertTrue(badValue.getErrorMessage().contains("retention.ms"), badValue.getErrorMessage());

    for (String bad : List.of(".", "..", "x".repeat(250), "a/b", "a b")) {
      CreatableTopicResult r =
          createRaw(
              CreatableTopic.newBuilder()
                  .setName(bad)
                  .setNumPartitions(1)
                  .setReplicationFactor(1)
                  .build());
      assertEquals(ErrorCode.INVALID_TOPIC, r.getError(), bad + ": " + r.getErrorMessage());
    }
  }

  @Test
  void metadataWithAutoCreationCreatesTheTopic() {
    BrokerServer b = cluster.broker(2);
    try (BrokerClient c = new BrokerClient(b.boundPort())) {
      MetadataRequest req =
          MetadataRequest.newBuilder()
              .addTopics("auto-created")
              .setAllowAutoTopicCreation(true)
              .build();
      TopicMetadata first = c.call().metadata(req).getTopics(0);
      assertTrue(
          first.getError() == ErrorCode.LEADER_NOT_AVAILABLE || first.getError() == ErrorCode.NONE,
          first.toString());
      TopicMetadata later =
          Wait.forValue(
              "auto-created topic with a leader",
              Duration.ofSeconds(60),
              () -> c.call().metadata(req).getTopics(0),
              t -> t.getError() == ErrorCode.NONE && t.getPartitions(0).getLeader() >= 0);
      assertEquals(1, later.getPartitionsCount(), "num.partitions=1");
    }
  }

  @Test
  void deletedTopicDisappearsFromEveryBroker() throws Exception {
    createTopic("doomed", 3, Map.of());
    admin.deleteTopics(List.of("doomed")).all().get(60, TimeUnit.SECONDS);
    Wait.until(
        "doomed gone from every broker's metadata and logs",
        Duration.ofSeconds(60),
        () ->
            cluster.brokers().stream()
                .allMatch(
                    b ->
                        b.metadataCache().topic("doomed").isEmpty()
                            && b.logManager().allLogs().stream()
                                .noneMatch(l -> l.topicPartition().topic().equals("doomed"))));
  }
}
