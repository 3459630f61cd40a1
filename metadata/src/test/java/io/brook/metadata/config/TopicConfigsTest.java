package io.brook.metadata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicConfigsTest {

  static Stream<Arguments> validationCases() {
    return Stream.of(
        Arguments.of(Map.of("retention.ms", "1000"), List.of()),
        Arguments.of(Map.of("retention.ms", "-1"), List.of()),
        Arguments.of(
            Map.of("retention.ms", "abc"),
            List.of("Invalid value abc for configuration retention.ms: Not a number of type LONG")),
        Arguments.of(
            Map.of("retention.ms", "-2"),
            List.of("Invalid value -2 for configuration retention.ms: Value must be at least -1")),
        Arguments.of(Map.of("foo", "1"), List.of("Unknown topic config name: foo")),
        Arguments.of(
            Map.of("segment.bytes", "12"),
            List.of("Invalid value 12 for configuration segment.bytes: Value must be at least 14")),
        Arguments.of(
            Map.of("segment.bytes", "99999999999"),
            List.of(
                "Invalid value 99999999999 for configuration segment.bytes: Not a number of type"
                    + " INT")),
        Arguments.of(Map.of("min.insync.replicas", "2"), List.of()),
        Arguments.of(
            Map.of("min.insync.replicas", "0"),
            List.of(
                "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1")),
        Arguments.of(Map.of("cleanup.policy", "compact,delete"), List.of()),
        Arguments.of(
            Map.of("cleanup.policy", "shred"),
            List.of(
                "Invalid value shred for configuration cleanup.policy: String must be one of:"
                    + " delete, compact")),
        Arguments.of(Map.of("message.timestamp.type", "LogAppendTime"), List.of()),
        Arguments.of(
            Map.of("message.timestamp.type", "Now"),
            List.of(
                "Invalid value Now for configuration message.timestamp.type: String must be one"
                    + " of: CreateTime, LogAppendTime")),
        Arguments.of(Map.of("unclean.leader.election.enable", "TRUE"), List.of()),
        Arguments.of(
            Map.of("unclean.leader.election.enable", "yes"),
            List.of(
                "Invalid value yes for configuration unclean.leader.election.enable: Expected"
                    + " value to be either true or false")),
        Arguments.of(
            Map.of("compression.type", "gzip"),
            List.of(
                "Invalid value gzip for configuration compression.type: String must be one of:"
                    + " producer")),
        Arguments.of(
            Map.of("foo", "1", "retention.bytes", "x"),
            List.of(
                "Unknown topic config name: foo",
                "Invalid value x for configuration retention.bytes: Not a number of type LONG")));
  }

  @ParameterizedTest
  @MethodSource("validationCases")
  void validate(Map<String, String> overrides, List<String> expectedErrors) {
    assertEquals(expectedErrors, TopicConfigs.validate(overrides));
  }

  static Stream<Arguments> effectiveCases() {
    return Stream.of(
        // broker props, overrides, key, expected
        Arguments.of(Map.of(), Map.of(), "retention.ms", "604800000"),
        Arguments.of(Map.of("log.retention.hours", "1"), Map.of(), "retention.ms", "3600000"),
        Arguments.of(Map.of("log.retention.minutes", "2"), Map.of(), "retention.ms", "120000"),
        Arguments.of(
            Map.of("log.retention.ms", "5", "log.retention.hours", "1"),
            Map.of(),
            "retention.ms",
            "5"),
        Arguments.of(
            Map.of("log.retention.hours", "1"), Map.of("retention.ms", "7"), "retention.ms", "7"),
        Arguments.of(Map.of("log.roll.hours", "2"), Map.of(), "segment.ms", "7200000"),
        Arguments.of(Map.of("message.max.bytes", "2000"), Map.of(), "max.message.bytes", "2000"),
        Arguments.of(Map.of("log.segment.bytes", "1024"), Map.of(), "segment.bytes", "1024"),
        Arguments.of(Map.of("log.flush.interval.messages", "10"), Map.of(), "flush.messages", "10"),
        Arguments.of(Map.of(), Map.of(), "flush.ms", Long.toString(Long.MAX_VALUE)),
        Arguments.of(
            Map.of("log.index.size.max.bytes", "4096"), Map.of(), "segment.index.bytes", "4096"),
        Arguments.of(
            Map.of("log.message.timestamp.type", "LogAppendTime"),
            Map.of(),
            "message.timestamp.type",
            "LogAppendTime"),
        Arguments.of(
            Map.of("log.cleanup.policy", "compact"), Map.of(), "cleanup.policy", "compact"),
        Arguments.of(Map.of("min.insync.replicas", "2"), Map.of(), "min.insync.replicas", "2"),
        Arguments.of(
            Map.of("log.segment.delete.delay.ms", "0"), Map.of(), "file.delete.delay.ms", "0"),
        Arguments.of(Map.of(), Map.of(), "compression.type", "producer"),
        Arguments.of(
            Map.of("unclean.leader.election.enable", "true"),
            Map.of(),
            "unclean.leader.election.enable",
            "true"));
  }

  @ParameterizedTest
  @MethodSource("effectiveCases")
  void effective(
      Map<String, String> brokerProps, Map<String, String> overrides, String key, String expected) {
    Map<String, String> eff = TopicConfigs.effective(brokerProps, overrides);
    assertEquals(expected, eff.get(key));
    assertEquals(TopicConfigs.names(), eff.keySet(), "every config has an effective value");
  }

  @org.junit.jupiter.api.Test
  void badBrokerLevelValueNamesTheBrokerKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TopicConfigs.effective(Map.of("log.retention.hours", "x"), Map.of()));
    assertTrue(e.getMessage().contains("log.retention.hours"), e.getMessage());
  }
}
