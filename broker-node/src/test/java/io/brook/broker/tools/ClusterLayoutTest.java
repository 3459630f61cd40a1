package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterLayoutTest {

  @TempDir Path dir;

  @Test
  void defaultsForANewDirectory() throws Exception {
    ClusterLayout layout = ClusterLayout.plan(dir, null, null, null, Map.of());
    assertEquals(2181, layout.zookeeper().port());
    assertEquals(List.of(1, 2, 3), List.copyOf(layout.brokers().keySet()));
    assertEquals("127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094", layout.bootstrapServers());
    assertNull(ClusterLayout.read(dir), "planning alone writes nothing");
  }

  @Test
  void writesConfigsWithKafkaNamesUnderTheDirectory() throws Exception {
    ClusterLayout layout = ClusterLayout.plan(dir, 2, 22181, 29092, Map.of("num.partitions", "6"));
    List<Path> written = layout.writeMissingConfigs();
    assertEquals(3, written.size());

    Properties zk = ClusterLayout.load(dir.resolve("zookeeper.properties"));
    assertEquals("22181", zk.getProperty("clientPort"));
    assertEquals("127.0.0.1", zk.getProperty("clientPortAddress"));
    assertEquals("false", zk.getProperty("admin.enableServer"));
    assertTrue(zk.getProperty("4lw.commands.whitelist").contains("ruok"));
    assertEquals(dir.resolve("zookeeper").toString(), zk.getProperty("dataDir"));

    Properties b2 = ClusterLayout.load(dir.resolve("broker-2.properties"));
    assertEquals("2", b2.getProperty("broker.id"));
    assertEquals("PLAINTEXT://127.0.0.1:29093", b2.getProperty("listeners"));
    assertEquals("PLAINTEXT://127.0.0.1:29093", b2.getProperty("advertised.listeners"));
    assertEquals(dir.resolve("broker-2").toString(), b2.getProperty("log.dirs"));
    assertEquals("127.0.0.1:22181", b2.getProperty("zookeeper.connect"));
    assertEquals("6", b2.getProperty("num.partitions"));
    assertTrue(Files.isDirectory(dir.resolve("broker-2")));
    assertTrue(Files.isDirectory(dir.resolve("zookeeper")));
  }

  @Test
  void anExistingDirectoryKeepsItsPortsWhenNoFlagsAreGiven() throws Exception {
    ClusterLayout.plan(dir, 2, 22181, 29092, Map.of()).writeMissingConfigs();
    ClusterLayout again = ClusterLayout.plan(dir, null, null, null, Map.of());
    assertEquals(22181, again.zookeeper().port());
    assertEquals("127.0.0.1:29092,127.0.0.1:29093", again.bootstrapServers());
    assertEquals(again.bootstrapServers(), ClusterLayout.read(dir).bootstrapServers());
    // The same flags again are fine.
    assertEquals(
        again.bootstrapServers(),
        ClusterLayout.plan(dir, 2, 22181, 29092, Map.of()).bootstrapServers());
  }

  @Test
  void flagsThatContradictTheDirectoryAreRefused() throws Exception {
    ClusterLayout.plan(dir, 2, 22181, 29092, Map.of()).writeMissingConfigs();
    IllegalArgumentException zk =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterLayout.plan(dir, null, 2181, null, Map.of()));
    assertTrue(zk.getMessage().contains("--zookeeper-port 22181"), zk.getMessage());
    IllegalArgumentException base =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterLayout.plan(dir, null, null, 9092, Map.of()));
    assertTrue(base.getMessage().contains("--base-port 29092"), base.getMessage());
    IllegalArgumentException fewer =
        assertThrows(
            IllegalArgumentException.class, () -> ClusterLayout.plan(dir, 1, null, null, Map.of()));
    assertTrue(fewer.getMessage().contains("--brokers 2"), fewer.getMessage());
  }

  @Test
  void moreBrokersAreAddedAfterTheExistingOnes() throws Exception {
    ClusterLayout.plan(dir, 2, 22181, 29092, Map.of()).writeMissingConfigs();
    ClusterLayout grown = ClusterLayout.plan(dir, 3, null, null, Map.of());
    List<Path> written = grown.writeMissingConfigs();
    assertEquals(List.of(dir.resolve("broker-3.properties")), written);
    assertEquals(29094, grown.brokers().get(3).port());
  }

  @Test
  void handEditsOfExistingConfigsSurvive() throws Exception {
    ClusterLayout.plan(dir, 1, 22181, 29092, Map.of()).writeMissingConfigs();
    Path b1 = dir.resolve("broker-1.properties");
    Files.writeString(b1, Files.readString(b1) + "log.segment.bytes=1048576\n");
    ClusterLayout.plan(dir, 1, 22181, 29092, Map.of()).writeMissingConfigs();
    assertEquals("1048576", ClusterLayout.load(b1).getProperty("log.segment.bytes"));
  }

  @Test
  void collidingOrInvalidPortsAreRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> ClusterLayout.plan(dir, 2, 9093, 9092, Map.of()));
    assertThrows(
        IllegalArgumentException.class, () -> ClusterLayout.plan(dir, 2, 2181, 65535, Map.of()));
    assertThrows(
        IllegalArgumentException.class, () -> ClusterLayout.plan(dir, 0, 2181, 9092, Map.of()));
  }

  @Test
  void propertiesAreEscapedSoThatLoadReadsThemBack() throws Exception {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("a key=with:specials", "C:\\data\\brook #1 = ok");
    props.put("unicode", "caf\u00e9 \u6f22");
    props.put("leading", " space");
    Path file = dir.resolve("x.properties");
    ClusterLayout.writeProperties(file, "test", props);
    Properties back = ClusterLayout.load(file);
    props.forEach((k, v) -> assertEquals(v, back.getProperty(k), k));
    assertEquals(props.size(), back.size());
  }
}
