package io.brook.broker.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.server.BrokerServer;
import io.brook.broker.server.MetaProperties;
import io.brook.broker.testing.BrokerClient;
import io.brook.broker.testing.TestCluster;
import io.brook.broker.testing.Wait;
import io.brook.client.admin.Admin;
import io.brook.client.admin.NewTopic;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.FetchPartitionResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker restarted on its log dir serves the same offsets and bytes; its identity is checked. */
class BrokerRestartTest {
  @TempDir Path dir;

  record Snapshot(com.google.protobuf.ByteString bytes, long hw, long logStart) {}

  private static Snapshot snapshot(BrokerServer b, String topic, int p) {
    try (BrokerClient c = new BrokerClient(b.boundPort())) {
      FetchPartitionResponse f = c.fetch(topic, p, 0);
      return new Snapshot(f.getRecords(), f.getHighWatermark(), f.getLogStartOffset());
    }
  }

  private static void waitForLeadership(BrokerServer b, String topic, int partitions) {
    Wait.until(
        "broker " + b.brokerId() + " leads " + topic,
        Duration.ofSeconds(60),
        () -> {
          for (int p = 0; p < partitions; p++) {
            var part = b.replicaManager().partition(new TopicPartition(topic, p));
            if (part.isEmpty() || !part.get().isLeader()) {
              return false;
            }
          }
          return true;
        });
  }

  @Test
  void restartKeepsOffsetsBytesHighWatermarkAndLogStart() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 1, Map.of())) {
      Properties ap = new Properties();
      ap.put("bootstrap.servers", cluster.bootstrapServers());
      try (Admin admin = Admin.create(ap)) {
        admin
            .createTopics(List.of(new NewTopic("durable", 2, (short) 1)))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      waitForLeadership(cluster.broker(1), "durable", 2);
      Map<String, Object> pc = new HashMap<>();
      pc.put("bootstrap.servers", cluster.bootstrapServers());
      pc.put("acks", "all");
      pc.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
      pc.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
      try (BrookProducer<String, String> producer = new BrookProducer<>(pc)) {
        for (int i = 0; i < 100; i++) {
          producer.send(new ProducerRecord<>("durable", i % 2, "k" + i, "v" + i));
        }
        producer.flush();
      }
      Snapshot p0 = snapshot(cluster.broker(1), "durable", 0);
      Snapshot p1 = snapshot(cluster.broker(1), "durable", 1);
      assertEquals(50, p0.hw());
      assertEquals(50, p1.hw());

      BrokerServer again = cluster.restart(1);
      cluster.waitForController();
      waitForLeadership(again, "durable", 2);
      assertEquals(p0, snapshot(again, "durable", 0), "partition 0 after restart");
      assertEquals(p1, snapshot(again, "durable", 1), "partition 1 after restart");
      assertEquals(
          50,
          again
              .logManager()
              .getLog(new TopicPartition("durable", 0))
              .orElseThrow()
              .highWatermark());
    }
  }

  @Test
  void aLogDirOfAnotherBrokerIsRefusedWithAClearError() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 1, Map.of())) {
      String dirOfBroker1 = cluster.brokerProps(1, Map.of()).get("log.dirs");
      cluster.stop(1);
      RuntimeException e =
          assertThrows(
              RuntimeException.class,
              () ->
                  BrokerServer.startInProcess(
                      cluster.brokerProps(2, Map.of("log.dirs", dirOfBroker1))));
      assertTrue(e instanceof MetaProperties.InconsistentMetaPropertiesException, e.toString());
      assertTrue(e.getMessage().contains("broker.id=1"), e.getMessage());
      assertTrue(e.getMessage().contains("broker.id=2"), e.getMessage());
    }
  }
}
