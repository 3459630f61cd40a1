package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.TestCluster;
import io.brook.client.admin.Admin;
import io.brook.client.admin.NewPartitions;
import io.brook.client.common.errors.InvalidPartitionsException;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.client.tools.TopicCommand;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.PartitionState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers; an RF 2 topic with 2 partitions grows to 5 through the Admin client: the new
 * partitions get leaders and full ISRs, a producer created before the change and a consumer see
 * them, and decreasing the count is refused with Kafka's message, changing nothing.
 */
class CreatePartitionsTest {
  @TempDir Path dir;

  @Test
  void growsFromTwoToFivePartitionsAndRefusesToShrink() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      cluster.waitForBrokers(3);
      cluster.waitForController();
      cluster.createTopic("grow", 2, 2, Map.of());

      Properties ap = new Properties();
      ap.put("bootstrap.servers", cluster.bootstrapServers());
      ap.put("default.api.timeout.ms", "60000");
      try (Admin admin = Admin.create(ap);
          BrookProducer<String, String> producer = producer(cluster)) {
        // The producer knows the topic with 2 partitions before the change.
        producer.send(new ProducerRecord<>("grow", 0, "k", "before")).get(60, TimeUnit.SECONDS);

        admin
            .createPartitions(Map.of("grow", NewPartitions.increaseTo(5)))
            .all()
            .get(60, TimeUnit.SECONDS);

        Map<Integer, Integer> epochs = new HashMap<>();
        for (int p = 0; p < 5; p++) {
          TopicPartition tp = new TopicPartition("grow", p);
          PartitionState s =
              cluster.waitForPartition(tp, "a leader and a full ISR", ps -> ps.getIsrCount() == 2);
          assertEquals(2, s.getReplicasCount());
          assertEquals(2, new HashSet<>(s.getReplicasList()).size());
          assertTrue(s.getIsrList().contains(s.getLeader()));
          BrokerServer leader = cluster.leader(tp);
          assertEquals(s.getLeader(), leader.brokerId());
          epochs.put(p, s.getLeaderEpoch());
        }
        assertEquals(
            5,
            admin
                .describeTopics(List.of("grow"))
                .allTopicNames()
                .get()
                .get("grow")
                .partitions()
                .size());

        // Produce to every partition, the new ones through the producer made before the change.
        List<RecordMetadata> acked = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
          acked.add(
              producer
                  .send(new ProducerRecord<>("grow", p, "k" + p, "v" + p))
                  .get(60, TimeUnit.SECONDS));
        }
        for (int p = 0; p < 5; p++) {
          assertEquals(p, acked.get(p).partition());
        }
        List<ConsumerRecord<String, String>> got = consumeAll(cluster, 6);
        Map<Integer, List<String>> byPartition = new HashMap<>();
        got.forEach(
            r -> byPartition.computeIfAbsent(r.partition(), x -> new ArrayList<>()).add(r.value()));
        assertEquals(List.of("before", "v0"), byPartition.get(0));
        for (int p = 1; p < 5; p++) {
          assertEquals(List.of("v" + p), byPartition.get(p));
        }

        // Decreasing is refused with Kafka's message, and nothing changes.
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () ->
                    admin
                        .createPartitions(Map.of("grow", NewPartitions.increaseTo(3)))
                        .all()
                        .get(60, TimeUnit.SECONDS));
        assertInstanceOf(InvalidPartitionsException.class, e.getCause());
        assertEquals(
            "Topic currently has 5 partitions, which is higher than the requested 3.",
            e.getCause().getMessage());
        assertEquals(
            5,
            admin
                .describeTopics(List.of("grow"))
                .allTopicNames()
                .get()
                .get("grow")
                .partitions()
                .size());
        for (int p = 0; p < 5; p++) {
          PartitionState s = cluster.partitionState(new TopicPartition("grow", p)).orElseThrow();
          assertEquals(epochs.get(p), s.getLeaderEpoch());
        }
        assertTrue(cluster.partitionState(new TopicPartition("grow", 5)).isEmpty());
      }
    }
  }

  @Test
  void topicsToolAltersThePartitionCount() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      cluster.waitForBrokers(3);
      cluster.createTopic("cli", 1, 3, Map.of());
      String bs = cluster.bootstrapServers();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      assertEquals(
          0,
          TopicCommand.run(
              new String[] {
                "--bootstrap-server", bs, "--alter", "--topic", "cli", "--partitions", "3"
              },
              ps));
      for (int p = 0; p < 3; p++) {
        cluster.waitForPartition(
            new TopicPartition("cli", p), "a leader and a full ISR", st -> st.getIsrCount() == 3);
      }

      PrintStream err = System.err;
      ByteArrayOutputStream errOut = new ByteArrayOutputStream();
      int code;
      try {
        System.setErr(new PrintStream(errOut, true, StandardCharsets.UTF_8));
        code =
            TopicCommand.run(
                new String[] {
                  "--bootstrap-server", bs, "--alter", "--topic", "cli", "--partitions", "2"
                },
                ps);
      } finally {
        System.setErr(err);
      }
      assertEquals(1, code);
      assertEquals(
          "Error while executing topic command : The number of partitions for a topic can only be"
              + " increased. Topic cli currently has 3 partitions, 2 would not be an increase.",
          errOut.toString(StandardCharsets.UTF_8).trim());
      assertTrue(cluster.partitionState(new TopicPartition("cli", 2)).isPresent());
      assertTrue(cluster.partitionState(new TopicPartition("cli", 3)).isEmpty());
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
      TestCluster cluster, int expected) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("fetch.max.wait.ms", "100");
    c.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    c.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(c)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < 5; p++) {
        tps.add(new TopicPartition("grow", p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (got.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(got::add);
      }
    }
    assertEquals(expected, got.size(), "records consumed");
    return got;
  }
}
