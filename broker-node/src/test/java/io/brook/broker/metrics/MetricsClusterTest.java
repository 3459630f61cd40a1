package io.brook.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.server.BrokerServer;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.consumer.BrookConsumer;
import io.brook.client.consumer.ConsumerRecords;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-JVM brokers on a real ZooKeeper, each serving /metrics and /health on an OS-chosen port
 * (metrics.port=0), scraped over HTTP: produce and consume move the per-topic counters, leader
 * counts add up to the cluster's partitions, nothing is under-replicated until a broker stops, the
 * group coordinator reports the group's lag, and /health turns 503 while shutting down and when
 * ZooKeeper is gone (and back to 200 when it returns), and a returning replica's ISR expansions are
 * counted.
 */
class MetricsClusterTest {
  static final String TOPIC = "metrics-topic";
  static final int PARTITIONS = 3;
  static final int RECORDS = 300;
  static final int VALUE_BYTES = 100;
  static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path dir;
  TestCluster cluster;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("metrics.port", "0");
    props.put("offsets.topic.num.partitions", "3");
    props.put("offsets.topic.replication.factor", "3");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("replica.fetch.backoff.ms", "200");
    cluster = TestCluster.start(dir, 3, props);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void scrapesReflectTrafficReplicationLagAndHealth() throws Exception {
    cluster.createTopic(TOPIC, PARTITIONS, 3, Map.of());
    for (BrokerServer b : cluster.brokers()) {
      assertTrue(b.metricsPort() > 0, "broker " + b.brokerId() + " serves metrics");
      HttpResponse<String> h = get(b, "/health");
      assertEquals(200, h.statusCode(), "health of broker " + b.brokerId() + ": " + h.body());
      assertTrue(h.body().contains("\"status\":\"OK\""), h.body());
    }

    produce(RECORDS);
    Map<String, Double> all = scrapeAll();
    double bytesIn = sum(all, "brook_server_brokertopicmetrics_bytes_in_total", TOPIC);
    double messagesIn = sum(all, "brook_server_brokertopicmetrics_messages_in_total", TOPIC);
    assertTrue(bytesIn >= RECORDS * VALUE_BYTES, "bytes in " + bytesIn);
    assertEquals(RECORDS, messagesIn, "records appended by the leaders");
    Wait.until(
        "replication bytes counted on leaders and followers",
        LONG,
        () -> {
          Map<String, Double> m = scrapeAll();
          return sum(m, "brook_server_brokertopicmetrics_replication_bytes_out_total", TOPIC)
                  >= 2 * bytesIn
              && sum(m, "brook_server_brokertopicmetrics_replication_bytes_in_total", TOPIC)
                  >= 2 * bytesIn;
        });

    consumeAndCommit("metrics-group", RECORDS);
    all = scrapeAll();
    assertTrue(
        sum(all, "brook_server_brokertopicmetrics_messages_out_total", TOPIC) >= RECORDS,
        "records fetched: " + filter(all, "messages_out"));
    assertTrue(
        sum(all, "brook_server_brokertopicmetrics_bytes_out_total", TOPIC) >= bytesIn,
        "bytes fetched: " + filter(all, "bytes_out"));
    assertEquals(
        RECORDS,
        sumWhere(all, "brook_consumergroup_current_offset", "consumergroup=\"metrics-group\""),
        "committed offsets, reported by the coordinator: " + filter(all, "consumergroup"));

    produce(50);
    Wait.until(
        "the group's lag reaches the 50 records produced since its commit",
        LONG,
        () ->
            sumWhere(scrapeAll(), "brook_consumergroup_lag", "consumergroup=\"metrics-group\"")
                == 50);

    // Requests per call with latency quantiles; the controller's calls too.
    all = scrapeAll();
    assertTrue(
        sumWhere(
                all,
                "brook_network_requestmetrics_requests_total",
                "service=\"BrokerService\"",
                "method=\"Produce\"")
            >= 1,
        filter(all, "requests_total").toString());
    assertTrue(
        all.keySet().stream()
            .anyMatch(
                k ->
                    k.startsWith("brook_network_requestmetrics_request_latency_seconds{")
                        && k.contains("method=\"FetchStream\"")
                        && k.contains("quantile=\"0.99\"")),
        "FetchStream latency quantiles (consumers fetch over it): " + filter(all, "latency"));
    assertTrue(
        sumWhere(
                all, "brook_network_requestmetrics_requests_total", "service=\"ControllerService\"")
            >= 1,
        "controller calls (AlterPartition, CreateTopics...): " + filter(all, "Controller"));
    assertTrue(all.containsKey("jvm_memory_used_bytes{area=\"heap\"}"), "JVM metrics");
    assertTrue(sum(all, "brook_log_log_size_bytes", TOPIC) >= 3 * bytesIn, "log sizes");

    // Leadership adds up, nothing under-replicated, one active controller.
    Wait.until(
        "no under-replicated partition, leader counts adding up to the partition count",
        LONG,
        () -> {
          Map<String, Double> m = scrapeAll();
          return sum(m, "brook_server_replicamanager_under_replicated_partitions", null) == 0
              && sum(m, "brook_server_replicamanager_leader_count", null)
                  == sum(m, "brook_controller_kafkacontroller_global_partition_count", null)
              && sum(m, "brook_controller_kafkacontroller_global_partition_count", null)
                  == PARTITIONS + 3
              && sum(m, "brook_controller_kafkacontroller_active_controller_count", null) == 1
              && sum(m, "brook_controller_kafkacontroller_offline_partitions_count", null) == 0;
        });
    BrokerServer controller = cluster.waitForController();
    assertTrue(
        scrape(controller).get("brook_controller_kafkacontroller_controller_epoch") >= 1,
        "controller epoch");

    // A broker stops: /health says so while it shuts down, the leaders report under-replication.
    BrokerServer victim =
        cluster.brokers().stream().filter(b -> b != controller).findFirst().orElseThrow();
    victim.monitoring().shuttingDown();
    HttpResponse<String> down = get(victim, "/health");
    assertEquals(503, down.statusCode(), down.body());
    assertTrue(down.body().contains("shutting down"), down.body());
    int victimPort = victim.metricsPort();
    cluster.stop(victim.brokerId());
    assertThrows(IOException.class, () -> get(victimPort, "/health"), "stopped broker");
    Wait.until(
        "the leaders report the partitions without their stopped replica as under-replicated",
        LONG,
        () ->
            sum(scrapeAll(), "brook_server_replicamanager_under_replicated_partitions", null)
                == PARTITIONS + 3);

    // ZooKeeper goes away: every running broker's /health answers 503, then 200 once it is back.
    cluster.zooKeeper().stop();
    for (BrokerServer b : running()) {
      Wait.until(
          "broker " + b.brokerId() + " unhealthy without ZooKeeper",
          LONG,
          () -> {
            HttpResponse<String> r = get(b, "/health");
            return r.statusCode() == 503 && r.body().contains("ZooKeeper connection lost");
          });
      assertEquals(0, scrape(b).get("brook_server_kafkaserver_healthy"));
    }
    cluster.zooKeeper().restart();
    for (BrokerServer b : running()) {
      Wait.until(
          "broker " + b.brokerId() + " healthy again",
          LONG,
          () -> get(b, "/health").statusCode() == 200);
    }

    // The stopped broker returns: it catches up, the leaders expand their ISRs (counted), and
    // nothing is under-replicated any more.
    double expandsBefore = sum(scrapeAll(), "brook_server_replicamanager_isr_expands_total", null);
    BrokerServer back = cluster.restart(victim.brokerId());
    assertTrue(back.metricsPort() > 0, "the restarted broker serves metrics");
    Wait.until(
        "the returned replica back in every ISR, the expansions counted by the leaders",
        LONG,
        () -> {
          Map<String, Double> m = scrapeAll();
          return sum(m, "brook_server_replicamanager_under_replicated_partitions", null) == 0
              && sum(m, "brook_server_replicamanager_isr_expands_total", null) >= expandsBefore + 1;
        });
  }

  private List<BrokerServer> running() {
    return cluster.brokers().stream().filter(BrokerServer::isRunning).toList();
  }

  private void produce(int n) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("acks", "all");
    c.put("linger.ms", "5");
    c.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
    c.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
    try (BrookProducer<String, String> producer = new BrookProducer<>(c)) {
      for (int i = 0; i < n; i++) {
        String value = String.format("%0" + VALUE_BYTES + "d", i);
        producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, value));
      }
      producer.flush();
    }
  }

  private void consumeAndCommit(String group, int expected) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", cluster.bootstrapServers());
    c.put("group.id", group);
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("fetch.max.wait.ms", "100");
    c.put("key.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    c.put("value.deserializer", "io.brook.client.common.serialization.StringDeserializer");
    try (BrookConsumer<String, String> consumer = new BrookConsumer<>(c)) {
      consumer.subscribe(List.of(TOPIC));
      int got = 0;
      long deadline = System.nanoTime() + LONG.toNanos();
      while (got < expected && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        got += records.count();
      }
      assertEquals(expected, got, "records consumed");
      consumer.commitSync();
    }
  }

  private HttpResponse<String> get(BrokerServer b, String path) {
    try {
      return get(b.metricsPort(), path);
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " of broker " + b.brokerId() + ": " + e, e);
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** One broker's /metrics as "name{labels}" -> value (comments skipped). */
  private Map<String, Double> scrape(BrokerServer b) {
    HttpResponse<String> r = get(b, "/metrics");
    assertEquals(200, r.statusCode(), "/metrics of broker " + b.brokerId());
    return parse(r.body());
  }

  static Map<String, Double> parse(String text) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return m;
  }

  /** Every running broker's series, summed by series key. */
  private Map<String, Double> scrapeAll() {
    Map<String, Double> m = new HashMap<>();
    for (BrokerServer b : running()) {
      scrape(b).forEach((k, v) -> m.merge(k, v, Double::sum));
    }
    return m;
  }

  /** The sum of {@code name}'s series, for {@code topic} when not null. */
  static double sum(Map<String, Double> m, String name, String topic) {
    return sumWhere(m, name, topic == null ? null : "topic=\"" + topic + "\"");
  }

  /** The sum of {@code name}'s series whose labels contain every one of {@code labelParts}. */
  static double sumWhere(Map<String, Double> m, String name, String... labelParts) {
    Predicate<String> nameMatches = k -> k.equals(name) || k.startsWith(name + "{");
    return m.entrySet().stream()
        .filter(e -> nameMatches.test(e.getKey()))
        .filter(
            e ->
                labelParts == null
                    || java.util.Arrays.stream(labelParts)
                        .allMatch(p -> p == null || e.getKey().contains(p)))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  static Map<String, Double> filter(Map<String, Double> m, String part) {
    Map<String, Double> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> {
          if (k.contains(part)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
