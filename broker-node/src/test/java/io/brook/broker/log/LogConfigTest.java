package io.brook.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.protocol.record.TimestampType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogConfigTest {
  @Test
  void defaultsAreKafkas() {
    LogConfig d = LogConfig.DEFAULT;
    assertEquals(1 << 30, d.segmentBytes());
    assertEquals(604_800_000L, d.segmentMs());
    assertEquals(604_800_000L, d.retentionMs());
    assertEquals(-1, d.retentionBytes());
    assertEquals(1048588, d.maxMessageBytes());
    assertEquals(Long.MAX_VALUE, d.flushMessages());
    assertEquals(4096, d.indexIntervalBytes());
    assertEquals(10 << 20, d.maxIndexSize());
    assertEquals(TimestampType.CREATE_TIME, d.messageTimestampType());
    assertEquals(60_000, d.fileDeleteDelayMs());
  }

  @Test
  void fromMapAppliesTopicLevelNames() {
    LogConfig c =
        LogConfig.fromMap(
            Map.of(
                "segment.bytes", "1048576",
                "retention.ms", "-1",
                "retention.bytes", "5000000",
                "message.timestamp.type", "LogAppendTime",
                "flush.messages", "1",
                "cleanup.policy", "delete",
                "min.insync.replicas", "2"));
    assertEquals(1048576, c.segmentBytes());
    assertEquals(-1, c.retentionMs());
    assertEquals(5_000_000, c.retentionBytes());
    assertEquals(TimestampType.LOG_APPEND_TIME, c.messageTimestampType());
    assertEquals(1, c.flushMessages());
    assertEquals(LogConfig.DEFAULT.segmentMs(), c.segmentMs());
  }

  @Test
  void badValuesNameTheKeyAndValue() {
    String[][] cases = {
      {"segment.bytes", "lots"},
      {"segment.bytes", "3"},
      {"retention.ms", "-7"},
      {"message.timestamp.type", "WallClock"},
      {"segment.index.bytes", "4"}
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> LogConfig.fromMap(Map.of(c[0], c[1])));
      assertTrue(e.getMessage().contains(c[0]) && e.getMessage().contains(c[1]), e.getMessage());
    }
  }
}
