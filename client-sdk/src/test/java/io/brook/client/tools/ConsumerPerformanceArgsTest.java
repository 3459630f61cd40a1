package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The consumer configuration the perf test derives from Kafka's flags. */
class ConsumerPerformanceArgsTest {

  private static Properties props(String... argv) {
    return ConsumerPerformance.consumerProps(ConsumerPerformance.parse(argv));
  }

  @Test
  void fetchSizeIsThePerPartitionLimitAsInKafka() {
    Properties p =
        props(
            "--bootstrap-server", "h:1", "--topic", "t", "--messages", "5", "--fetch-size", "4096");
    assertEquals("4096", p.getProperty("max.partition.fetch.bytes"));
    assertFalse(p.containsKey("fetch.max.bytes"), "fetch.max.bytes keeps the consumer default");
  }

  @Test
  void defaultsMatchKafkasTool() {
    Properties p = props("--bootstrap-server", "h:1", "--topic", "t", "--messages", "5");
    assertEquals("1048576", p.getProperty("max.partition.fetch.bytes"));
    assertEquals("earliest", p.getProperty("auto.offset.reset"));
    assertEquals("h:1", p.getProperty("bootstrap.servers"));
    assertFalse(p.containsKey("group.id"));
  }

  @Test
  void groupAndLatest() {
    Properties p =
        props(
            "--bootstrap-server",
            "h:1",
            "--topic",
            "t",
            "--messages",
            "5",
            "--group",
            "g",
            "--from-latest");
    assertEquals("g", p.getProperty("group.id"));
    assertEquals("latest", p.getProperty("auto.offset.reset"));
  }

  @Test
  void missingBootstrapIsAUsageError() {
    assertThrows(ToolArgs.UsageException.class, () -> props("--topic", "t", "--messages", "5"));
  }
}
