package io.brook.metadata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ThrottledReplicasTest {

  @Test
  void parsesListsStarAndEmpty() {
    ThrottledReplicas t = ThrottledReplicas.parse(" 0:1, 1:2 ,0:1");
    assertEquals("0:1,1:2", t.toString());
    assertTrue(t.applies(0, 1));
    assertFalse(t.applies(0, 2));
    assertEquals(Set.of(0), t.partitionsOn(1));
    assertTrue(ThrottledReplicas.parse("*").applies(7, 9));
    assertTrue(ThrottledReplicas.parse("").isEmpty());
    assertTrue(ThrottledReplicas.parse(null).isEmpty());
    assertEquals("1:2", t.withoutPartitions(List.of(0)).toString());
    assertTrue(t.withoutPartitions(List.of(0, 1)).isEmpty());
  }

  @Test
  void refusesMalformedEntries() {
    for (String bad : List.of("0", "a:1", "0:b", "0:", ":1", "0:1,,1:2", "-1:2")) {
      assertThrows(IllegalArgumentException.class, () -> ThrottledReplicas.parse(bad), bad);
    }
  }

  @Test
  void topicConfigsValidatesTheThrottleKeys() {
    assertEquals(
        List.of(),
        TopicConfigs.validate(
            Map.of(
                "leader.replication.throttled.replicas", "0:1,1:2",
                "follower.replication.throttled.replicas", "*")));
    List<String> errors =
        TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", "0-1"));
    assertEquals(1, errors.size());
    assertTrue(
        errors
            .get(0)
            .startsWith(
                "Invalid value 0-1 for configuration leader.replication.throttled.replicas"),
        errors.get(0));
    assertEquals(
        "",
        TopicConfigs.effective(Map.of(), Map.of()).get("follower.replication.throttled.replicas"));
  }
}
