package io.brook.client.consumer;

import static io.brook.client.consumer.AssignorPropertyTest.assign;
import static io.brook.client.consumer.AssignorPropertyTest.tp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.common.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Kafka's RoundRobinAssignorTest cases. */
class RoundRobinAssignorTest {
  private final RoundRobinAssignor assignor = new RoundRobinAssignor();

  private static Subscription sub(String... topics) {
    return new Subscription(List.of(topics));
  }

  @Test
  void name() {
    assertEquals("roundrobin", assignor.name());
  }

  @Test
  void oneConsumer() {
    assertEquals(Map.of("c", List.of()), assign(assignor, Map.of("t", 3), Map.of("c", sub())));
    assertEquals(
        Map.of("c", List.of(tp("t", 0), tp("t", 1), tp("t", 2))),
        assign(assignor, Map.of("t", 3, "other", 3), Map.of("c", sub("t", "unknown"))));
  }

  @Test
  void twoConsumersTwoTopicsSixPartitionsAlternate() {
    assertEquals(
        Map.of(
            "c1", List.of(tp("t1", 0), tp("t1", 2), tp("t2", 1)),
            "c2", List.of(tp("t1", 1), tp("t2", 0), tp("t2", 2))),
        assign(
            assignor,
            Map.of("t1", 3, "t2", 3),
            Map.of("c1", sub("t1", "t2"), "c2", sub("t1", "t2"))));
  }

  @Test
  void membersNotSubscribedAreSkippedInTheCircle() {
    // Kafka's javadoc example: not balanced with different subscriptions, by design.
    assertEquals(
        Map.of(
            "c0", List.of(tp("t0", 0)),
            "c1", List.of(tp("t1", 0)),
            "c2", List.of(tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2))),
        assign(
            assignor,
            Map.of("t0", 1, "t1", 2, "t2", 3),
            Map.of("c0", sub("t0"), "c1", sub("t0", "t1"), "c2", sub("t0", "t1", "t2"))));
  }

  @Test
  void staticMembersOrderedByInstanceId() {
    Map<String, List<TopicPartition>> a =
        assign(
            assignor,
            Map.of("t", 4),
            Map.of(
                "b", sub("t").withGroupInstanceId(Optional.of("i2")),
                "a", sub("t").withGroupInstanceId(Optional.of("i3")),
                "c", sub("t").withGroupInstanceId(Optional.of("i1"))));
    assertEquals(List.of(tp("t", 0), tp("t", 3)), a.get("c"));
    assertEquals(List.of(tp("t", 1)), a.get("b"));
    assertEquals(List.of(tp("t", 2)), a.get("a"));
  }
}
