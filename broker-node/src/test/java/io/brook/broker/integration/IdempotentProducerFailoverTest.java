package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.PartitionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idempotent producer (on by default with acks=all) against a replicated cluster whose leaders
 * die while batches are in flight: every record is acknowledged, and each partition holds each
 * record exactly once, in send order. Batches the dead leader appended (and replicated) but never
 * answered are retried against the new leader, which recognizes them from the producer state its
 * log rebuilt as a follower; without that state they would be written twice.
 */
class IdempotentProducerFailoverTest {
  private static final String TOPIC = "idem";
  private static final int PARTITIONS = 2;
  private static final int RECORDS = 6000;

  @TempDir Path dir;

  @Test
  void everyRecordOnceInOrderAcrossTwoLeaderFailures() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      cluster.createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
      TopicPartition p0 = new TopicPartition(TOPIC, 0);
      for (int p = 0; p < PARTITIONS; p++) {
        cluster.waitForPartition(
            new TopicPartition(TOPIC, p), "full ISR", s -> s.getIsrCount() == 3);
      }

      Map<String, Object> c = new HashMap<>();
      c.put("bootstrap.servers", cluster.bootstrapServers());
      c.put("batch.size", "2048");
      c.put("linger.ms", "2");
      c.put("retry.backoff.ms", "50");
      c.put("request.timeout.ms", "20000");
      c.put("delivery.timeout.ms", "120000");
      c.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
      c.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      List<Integer> killed = new ArrayList<>();
      try (BrookProducer<String, String> producer = new BrookProducer<>(c)) {
        for (int i = 0; i < RECORDS; i++) {
          int partition = i % PARTITIONS;
          acks.add(producer.send(new ProducerRecord<>(TOPIC, partition, null, "r-" + i)));
          if (i == RECORDS / 3 || i == 2 * RECORDS / 3) {
            // Kill p0's leader with batches in flight (no controlled shutdown: its session
            // expires first, as after a crash); the next kill needs the first one back.
            if (!killed.isEmpty()) {
              int back = killed.get(killed.size() - 1);
              cluster.restart(back);
              cluster.waitForPartition(
                  p0, "broker " + back + " back in the ISR", s -> s.getIsrCount() == 3);
            }
            int leader = cluster.partitionState(p0).orElseThrow().getLeader();
            cluster.kill(leader);
            killed.add(leader);
            // Its session dies on the server after zookeeper.session.timeout.ms, as after a
            // crash; the controller then moves its leaderships while batches are in flight.
            cluster.waitForBrokers(2);
          }
        }
        producer.flush();
        for (Future<RecordMetadata> f : acks) {
          f.get(120, TimeUnit.SECONDS); // every record acknowledged
        }
      }
      assertEquals(2, killed.size());
      PartitionState after = cluster.partitionState(p0).orElseThrow();
      assertNotEquals(killed.get(1), after.getLeader(), "the second kill moved p0's leadership");

      Map<String, Object> cc = new HashMap<>();
      cc.put("bootstrap.servers", cluster.bootstrapServers());
      cc.put("fetch.max.wait.ms", "100");
      cc.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
      cc.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
      List<TopicPartition> tps = List.of(p0, new TopicPartition(TOPIC, 1));
      try (BrookConsumer<String, String> consumer = new BrookConsumer<>(cc)) {
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        Map<Integer, List<String>> got = new HashMap<>();
        int[] count = {0};
        Wait.until(
            RECORDS + " records consumed",
            Duration.ofSeconds(120),
            () -> {
              for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                got.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.value());
                count[0]++;
              }
              return count[0] >= RECORDS;
            });
        // Anything beyond RECORDS would be a duplicate: drain what is left.
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          got.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.value());
        }
        for (int p = 0; p < PARTITIONS; p++) {
          List<String> want = new ArrayList<>();
          for (int i = p; i < RECORDS; i += PARTITIONS) {
            want.add("r-" + i);
          }
          List<String> have = got.getOrDefault(p, List.of());
          assertTrue(
              have.equals(want),
              "partition "
                  + p
                  + ": "
                  + have.size()
                  + " records, expected "
                  + want.size()
                  + " exactly once in send order; first difference at index "
                  + firstDifference(have, want));
        }
      }
    }
  }

  private static int firstDifference(List<String> a, List<String> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      if (!a.get(i).equals(b.get(i))) {
        return i;
      }
    }
    return n;
  }
}
