package io.brook.systest.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.admin.NewTopic;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerRecord;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.client.producer.RecordMetadata;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness end to end: a three-broker cluster of real processes, a topic written and read back
 * through the proxies, kill -9 / restart, SIGTERM / restart, SIGSTOP / SIGCONT, a broker cut off
 * from the others and from ZooKeeper and healed, a script run; and no process left afterwards.
 */
@Tag("system")
class ProcessClusterSmokeTest {
  private static final Logger log = LogManager.getLogger(ProcessClusterSmokeTest.class);
  private static final String TOPIC = "smoke";
  private static final Duration HEALTHY = Duration.ofSeconds(30);

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void startsFaultsHealsAndStopsEverything() throws Exception {
    ScenarioDir dir = ScenarioDir.create("harness-smoke");
    boolean passed = false;
    Set<Long> pids = new HashSet<>();
    try {
      long t0 = System.nanoTime();
      try (ProcessCluster cluster = ProcessCluster.start(dir.path(), ClusterOptions.defaults())) {
        log.info("cluster ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
        cluster.brokerIds().forEach(id -> pids.add((long) cluster.pid(id)));
        pids.add((long) cluster.zooKeeperPid());
        assertEquals(Set.of(1, 2, 3), cluster.brokerIds());
        assertTrue(cluster.controllerId() >= 1, "a controller is active");

        cluster
            .admin()
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
            .all()
            .get(30, TimeUnit.SECONDS);
        cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

        Map<Integer, List<String>> sent = new TreeMap<>();
        try (BrookProducer<String, String> producer = producer(cluster)) {
          send(producer, "a", 150, sent, 0, 1, 2);

          // followers fetch through the leaders' proxies, and are recognised as brokers
          TopicPartition tp0 = new TopicPartition(TOPIC, 0);
          assertEquals(Set.of(1, 2, 3), Set.copyOf(cluster.replicasOf(tp0)));
          int leader = cluster.leaderOf(tp0);
          assertTrue(
              cluster.connectionsTo(leader).stream()
                  .anyMatch(l -> l.startsWith("broker-") && !l.equals("broker-" + leader)),
              "other brokers connect to broker " + leader + ": " + cluster.connectionsTo(leader));

          // kill -9 of a leader, a new leader, restart
          int oldPid = cluster.pid(leader);
          cluster.kill9(leader);
          assertFalse(cluster.isRunning(leader));
          Deadline.await(
              "a new leader for " + tp0,
              HEALTHY,
              () -> {
                int l = cluster.leaderOf(tp0);
                return l >= 1 && l != leader;
              });
          send(producer, "b", 150, sent, 0, 1, 2);
          long restart = System.nanoTime();
          cluster.start(leader);
          log.info(
              "broker {} restarted in {} ms", leader, (System.nanoTime() - restart) / 1_000_000);
          assertNotEquals(oldPid, cluster.pid(leader));
          pids.add((long) cluster.pid(leader));
          cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

          // SIGTERM of the controller, restart
          int controller = cluster.controllerId();
          cluster.stop(controller);
          Deadline.await(
              "another controller",
              HEALTHY,
              () -> {
                int c = cluster.controllerId();
                return c >= 1 && c != controller;
              });
          send(producer, "c", 150, sent, 0, 1, 2);
          cluster.start(controller);
          pids.add((long) cluster.pid(controller));
          cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

          // a follower of tp0 (not the controller) cut off from the other brokers: no broker
          // connection to or from it survives, and with writes to tp0 the leader drops it from the
          // ISR (without traffic a follower at the log end stays in sync, as in Kafka)
          int tp0Leader = cluster.leaderOf(tp0);
          int currentController = cluster.controllerId();
          int isolated =
              cluster.replicasOf(tp0).stream()
                  .filter(id -> id != tp0Leader && id != currentController)
                  .findFirst()
                  .orElseThrow();
          cluster.isolateFromBrokers(isolated);
          for (int id : cluster.brokerIds()) {
            List<String> labels = cluster.connectionsTo(id);
            if (id == isolated) {
              assertTrue(
                  labels.stream()
                      .noneMatch(l -> l.startsWith("broker-") && !l.equals("broker-" + id)),
                  "no other broker connected to the isolated one: " + labels);
            } else {
              assertFalse(
                  labels.contains("broker-" + isolated), "isolated broker connected: " + labels);
            }
          }
          send(producer, "isolated", 30, sent, 0);
          assertFalse(cluster.isrOf(tp0).contains(isolated), "acks=all needed an ISR shrink");
          cluster.healBrokerNetwork();
          cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

          // a broker cut off from ZooKeeper: its session expires, then it registers again
          int cut =
              cluster.brokerIds().stream()
                  .filter(id -> id != cluster.controllerId())
                  .findFirst()
                  .orElseThrow();
          cluster.isolateFromZooKeeper(cut);
          Deadline.await(
              "broker " + cut + "'s registration to expire",
              HEALTHY,
              () -> !cluster.isRegistered(cut));
          cluster.healZooKeeperNetwork(cut);
          cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

          // ZooKeeper stopped and started again
          cluster.stopZooKeeper();
          cluster.startZooKeeper();
          cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

          // SIGSTOP / SIGCONT
          cluster.pause(cut);
          assertTrue(cluster.isPaused(cut));
          cluster.resume(cut);
          send(producer, "d", 150, sent, 0, 1, 2);
        }
        cluster.awaitHealthy(List.of(TOPIC), HEALTHY);

        assertEquals(
            sent, readAll(cluster), "every acknowledged record, once, in order, per partition");

        ScriptResult topics =
            cluster.runScript(
                "brook-topics.sh", "--bootstrap-server", cluster.bootstrapServers(), "--list");
        assertEquals(0, topics.exitCode(), topics.stderr());
        assertTrue(topics.stdout().contains(TOPIC), topics.stdout());
      }
      for (long pid : pids) {
        assertFalse(
            ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
            "process " + pid + " is gone after close()");
      }
      passed = true;
    } finally {
      dir.finish(passed);
    }
  }

  private static BrookProducer<String, String> producer(ProcessCluster cluster) {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    conf.put(ProducerConfig.ACKS_CONFIG, "all");
    conf.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    conf.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    conf.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringSerializer");
    conf.put("request.timeout.ms", 5000);
    conf.put("delivery.timeout.ms", 30000);
    return new BrookProducer<>(conf);
  }

  /** Sends {@code count} records round-robin over {@code partitions}; all must be acknowledged. */
  private static void send(
      BrookProducer<String, String> producer,
      String prefix,
      int count,
      Map<Integer, List<String>> sent,
      int... partitions)
      throws Exception {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    Map<Integer, List<String>> values = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      int p = partitions[i % partitions.length];
      String v = p + "|" + prefix + "-" + i;
      values.computeIfAbsent(p, x -> new ArrayList<>()).add(v);
      acks.add(producer.send(new ProducerRecord<>(TOPIC, p, null, v)));
    }
    for (Future<RecordMetadata> f : acks) {
      f.get(60, TimeUnit.SECONDS);
    }
    values.forEach((p, v) -> sent.computeIfAbsent(p, x -> new ArrayList<>()).addAll(v));
  }

  /** Everything in the topic, per partition in offset order. */
  private static Map<Integer, List<String>> readAll(ProcessCluster cluster) {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    conf.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    conf.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "io.brook.client.common.serialization.StringDeserializer");
    conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    conf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<TopicPartition> tps =
        IntStream.range(0, 3)
            .mapToObj(p -> new TopicPartition(TOPIC, p))
            .collect(Collectors.toList());
    Map<Integer, List<String>> byPartition = new HashMap<>();
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(conf)) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      Deadline.await(
          "the consumer to reach the end offsets " + end,
          Duration.ofSeconds(30),
          () -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
              byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.value());
            }
            return tps.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
          });
    }
    return new TreeMap<>(byPartition);
  }
}
