package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
  private static Map<String, String> base() {
    Map<String, String> m = new HashMap<>();
    m.put("broker.id", "3");
    m.put("zookeeper.connect", "localhost:2181/brook");
    return m;
  }

  private static Map<String, String> with(String k, String v) {
    Map<String, String> m = base();
    m.put(k, v);
    return m;
  }

  @Test
  void defaultsAreKafkas() {
    BrokerConfig c = new BrokerConfig(base());
    assertEquals(3, c.brokerId());
    assertEquals(new BrokerConfig.Listener("", 9092), c.listener());
    assertEquals(List.of(Path.of("/tmp/brook-logs")), c.logDirs());
    assertEquals(18000, c.zookeeperSessionTimeoutMs());
    assertEquals(18000, c.zookeeperConnectionTimeoutMs());
    assertEquals(1, c.numPartitions());
    assertEquals(1, c.defaultReplicationFactor());
    assertEquals(1, c.getInt("min.insync.replicas"));
    assertTrue(c.autoCreateTopicsEnable());
    assertEquals(1048588, c.getInt("message.max.bytes"));
    assertEquals(104857600, c.socketRequestMaxBytes());
    assertTrue(c.controllerCandidate());
    assertEquals(30000L, c.getLong("replica.lag.time.max.ms"));
    assertEquals(500, c.getInt("replica.fetch.wait.max.ms"));
    assertEquals(1048576, c.getInt("replica.fetch.max.bytes"));
    assertEquals(86400000L, c.getLong("producer.id.expiration.ms"));
  }

  @Test
  void listenersAndLogDirsParse() {
    Map<String, String> m = base();
    m.put("listeners", "PLAINTEXT://127.0.0.1:0");
    m.put("advertised.listeners", "PLAINTEXT://broker3.example:9093");
    m.put("log.dirs", "/a, /b");
    BrokerConfig c = new BrokerConfig(m);
    assertEquals(new BrokerConfig.Listener("127.0.0.1", 0), c.listener());
    assertEquals(new BrokerConfig.Listener("broker3.example", 9093), c.advertisedListener());
    assertEquals(List.of(Path.of("/a"), Path.of("/b")), c.logDirs());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    String[][] cases = {
      {"broker.id", "-1"},
      {"broker.id", "one"},
      {"num.partitions", "0"},
      {"auto.create.topics.enable", "yes"},
      {"listeners", "http://x:1"},
      {"listeners", "PLAINTEXT://x:99999"},
      {"log.retention.ms", "forever"},
      {"log.message.timestamp.type", "Now"},
      {"compression.type", "gzip"},
      {"zookeeper.session.timeout.ms", "0"},
    };
    for (String[] c : cases) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> new BrokerConfig(with(c[0], c[1])), c[0]);
      assertTrue(e.getMessage().contains(c[0]), e.getMessage());
    }
    ConfigException missing =
        assertThrows(ConfigException.class, () -> new BrokerConfig(Map.of("broker.id", "1")));
    assertTrue(missing.getMessage().contains("zookeeper.connect"), missing.getMessage());
  }

  @Test
  void unknownKeysAreKeptAndDoNotFail() {
    BrokerConfig c = new BrokerConfig(with("no.such.key", "x"));
    assertEquals("x", c.originals().get("no.such.key"));
    assertTrue(c.isExplicit("no.such.key"));
  }

  @Test
  void mainParsesFileAndOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("server.properties");
    Files.writeString(file, "broker.id=1\nzookeeper.connect=zk:2181\nnum.partitions=3\n");
    BrokerConfig c =
        BrokerMain.parse(
            new String[] {
              file.toString(), "--override", "num.partitions=5", "--override", "broker.id=7"
            });
    assertEquals(5, c.numPartitions());
    assertEquals(7, c.brokerId());
    assertThrows(
        IllegalArgumentException.class,
        () -> BrokerMain.parse(new String[] {file.toString(), "x"}));
    assertThrows(IllegalArgumentException.class, () -> BrokerMain.parse(new String[] {}));
  }
}
