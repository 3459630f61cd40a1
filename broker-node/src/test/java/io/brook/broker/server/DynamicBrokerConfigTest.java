package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.broker.testing.Wait;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DynamicBrokerConfig against a real (curator-test) ZooKeeper. */
class DynamicBrokerConfigTest {
  TestingServer server;
  CuratorFramework zk;
  MetadataStore store;

  @BeforeEach
  void setUp() throws Exception {
    server = new TestingServer(true);
    zk =
        CuratorFrameworkFactory.newClient(
            server.getConnectString(), new ExponentialBackoffRetry(100, 3));
    zk.start();
    store = new MetadataStore(zk);
    store.ensurePersistentPaths();
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
    server.close();
  }

  void write(String entity, Map<String, String> config) {
    String path = ZkPaths.brokerConfigPath(entity);
    if (store.read(path).isPresent()) {
      store.setData(path, ZkPaths.encodeConfig(config), -1);
    } else {
      store.create(path, ZkPaths.encodeConfig(config));
    }
  }

  @Test
  void layersPerBrokerOverDefaultOverStaticAndTellsListeners() throws Exception {
    write(ZkPaths.DEFAULT_BROKER_ENTITY, Map.of("log.retention.ms", "2000", "bogus", "1"));
    try (DynamicBrokerConfig d =
        new DynamicBrokerConfig(
            3, Map.of("log.retention.ms", "1000", "log.segment.bytes", "4096"), zk)) {
      d.start();
      // Loaded at start; an unknown key in the znode is ignored.
      assertEquals("2000", d.current().get("log.retention.ms"));
      assertEquals(Map.of("log.retention.ms", "2000"), d.clusterDefault());
      assertEquals(DynamicBrokerConfig.Source.DYNAMIC_DEFAULT, d.source("log.retention.ms"));
      assertEquals(DynamicBrokerConfig.Source.STATIC, d.source("log.segment.bytes"));
      assertEquals(DynamicBrokerConfig.Source.DEFAULT, d.source("message.max.bytes"));
      List<Map<String, String>> heard = new CopyOnWriteArrayList<>();
      d.addListener(heard::add);
      assertEquals(1, heard.size());

      write("3", Map.of("log.retention.ms", "3000", "leader.replication.throttled.rate", "100"));
      Wait.until(
          "the per-broker value",
          Duration.ofSeconds(30),
          () -> "3000".equals(d.current().get("log.retention.ms")));
      assertEquals(DynamicBrokerConfig.Source.DYNAMIC_BROKER, d.source("log.retention.ms"));
      assertEquals(100, d.rate("leader.replication.throttled.rate"));
      assertEquals(Long.MAX_VALUE, d.rate("follower.replication.throttled.rate"));
      Wait.until("a listener call", Duration.ofSeconds(30), () -> heard.size() >= 2);
      assertEquals("3000", heard.get(heard.size() - 1).get("log.retention.ms"));
      // Another broker's entity does not matter here.
      write("4", Map.of("log.retention.ms", "4000"));
      assertEquals(Map.of("log.retention.ms", "4000"), d.readEntity("4"));

      store.deleteRecursive(ZkPaths.brokerConfigPath("3"));
      Wait.until(
          "back to the default",
          Duration.ofSeconds(30),
          () -> "2000".equals(d.current().get("log.retention.ms")));
      store.deleteRecursive(ZkPaths.brokerConfigPath(ZkPaths.DEFAULT_BROKER_ENTITY));
      Wait.until(
          "back to the static value",
          Duration.ofSeconds(30),
          () -> "1000".equals(d.current().get("log.retention.ms")));
      assertEquals(DynamicBrokerConfig.Source.STATIC, d.source("log.retention.ms"));
    }
  }
}
