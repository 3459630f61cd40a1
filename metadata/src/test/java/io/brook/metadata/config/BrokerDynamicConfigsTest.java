package io.brook.metadata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerDynamicConfigsTest {

  @Test
  void throttleRatesAndTopicDefaultsAreDynamic() {
    assertTrue(BrokerDynamicConfigs.isDynamic("leader.replication.throttled.rate"));
    assertTrue(BrokerDynamicConfigs.isDynamic("follower.replication.throttled.rate"));
    for (String k :
        List.of(
            "log.retention.ms",
            "log.retention.hours",
            "log.retention.bytes",
            "log.segment.bytes",
            "log.cleanup.policy",
            "message.max.bytes",
            "min.insync.replicas",
            "unclean.leader.election.enable",
            "compression.type",
            "log.flush.interval.ms",
            "log.cleaner.delete.retention.ms")) {
      assertTrue(BrokerDynamicConfigs.isDynamic(k), k);
      assertTrue(BrokerDynamicConfigs.isTopicDefault(k), k);
    }
    assertFalse(BrokerDynamicConfigs.isTopicDefault("leader.replication.throttled.rate"));
    assertFalse(BrokerDynamicConfigs.isDynamic("broker.id"));
    assertTrue(BrokerDynamicConfigs.isStatic("broker.id"));
    assertTrue(BrokerDynamicConfigs.isStatic("log.dirs"));
  }

  @Test
  void parsesAndNormalizes() {
    assertEquals("1000", BrokerDynamicConfigs.parse("leader.replication.throttled.rate", " 1000 "));
    assertEquals("5000", BrokerDynamicConfigs.parse("log.retention.ms", "5000"));
    assertEquals(
        "compact,delete", BrokerDynamicConfigs.parse("log.cleanup.policy", "compact, delete"));
    assertEquals("true", BrokerDynamicConfigs.parse("unclean.leader.election.enable", "TRUE"));
  }

  @Test
  void refusesWithTheContractsMessages() {
    assertEquals(
        "Unknown broker config 'foo.bar'",
        assertThrows(
                IllegalArgumentException.class, () -> BrokerDynamicConfigs.parse("foo.bar", "1"))
            .getMessage());
    assertEquals(
        "Cannot update these configs dynamically: [broker.id]",
        assertThrows(
                IllegalArgumentException.class, () -> BrokerDynamicConfigs.parse("broker.id", "7"))
            .getMessage());
    assertEquals(
        "Invalid value abc for configuration leader.replication.throttled.rate: Not a number of"
            + " type LONG",
        assertThrows(
                IllegalArgumentException.class,
                () -> BrokerDynamicConfigs.parse("leader.replication.throttled.rate", "abc"))
            .getMessage());
    assertEquals(
        "Invalid value -5 for configuration follower.replication.throttled.rate: Value must be at"
            + " least 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> BrokerDynamicConfigs.parse("follower.replication.throttled.rate", "-5"))
            .getMessage());
    String bad =
        assertThrows(
                IllegalArgumentException.class,
                () -> BrokerDynamicConfigs.parse("log.retention.ms", "soon"))
            .getMessage();
    assertTrue(bad.contains("log.retention.ms") && bad.contains("soon"), bad);
    String range =
        assertThrows(
                IllegalArgumentException.class,
                () -> BrokerDynamicConfigs.parse("min.insync.replicas", "0"))
            .getMessage();
    assertTrue(range.contains("min.insync.replicas") && range.contains("at least 1"), range);
  }

  @Test
  void validateGroupsStaticKeys() {
    List<String> errors =
        BrokerDynamicConfigs.validate(
            Map.of("broker.id", "2", "log.dirs", "/x", "nope", "1", "log.retention.ms", "9"));
    assertEquals(
        List.of(
            "Cannot update these configs dynamically: [broker.id, log.dirs]",
            "Unknown broker config 'nope'"),
        errors);
    assertEquals(List.of(), BrokerDynamicConfigs.validate(Map.of("log.retention.hours", "2")));
  }

  @Test
  void layeringAndRates() {
    Map<String, String> layered =
        BrokerDynamicConfigs.layered(
            Map.of("log.retention.ms", "1", "a", "static"),
            Map.of("log.retention.ms", "2", "leader.replication.throttled.rate", "100"),
            Map.of("log.retention.ms", "3"));
    assertEquals("3", layered.get("log.retention.ms"));
    assertEquals("static", layered.get("a"));
    assertEquals(100, BrokerDynamicConfigs.rate(layered, "leader.replication.throttled.rate"));
    assertEquals(
        Long.MAX_VALUE, BrokerDynamicConfigs.rate(layered, "follower.replication.throttled.rate"));
  }
}
