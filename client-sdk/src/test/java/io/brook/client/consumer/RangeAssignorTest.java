package io.brook.client.consumer;

import static io.brook.client.consumer.AssignorPropertyTest.assign;
import static io.brook.client.consumer.AssignorPropertyTest.tp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.client.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.common.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Kafka's RangeAssignorTest cases, as a table of inputs and expected assignments. */
class RangeAssignorTest {
  private final RangeAssignor assignor = new RangeAssignor();

  private static Subscription sub(String... topics) {
    return new Subscription(List.of(topics));
  }

  private static Subscription staticSub(String instanceId, String... topics) {
    return sub(topics).withGroupInstanceId(Optional.of(instanceId));
  }

  @Test
  void nameAndProtocol() {
    assertEquals("range", assignor.name());
    assertEquals(List.of(RebalanceProtocol.EAGER), assignor.supportedProtocols());
  }

  @Test
  void oneConsumerWithoutTopicsOrWithUnknownTopicGetsNothing() {
    assertEquals(Map.of("c", List.of()), assign(assignor, Map.of("t", 3), Map.of("c", sub())));
    assertEquals(
        Map.of("c", List.of()), assign(assignor, Map.of("t", 3), Map.of("c", sub("unknown"))));
  }

  @Test
  void oneConsumerGetsOnlyItsSubscribedTopics() {
    assertEquals(
        Map.of("c", List.of(tp("t", 0), tp("t", 1), tp("t", 2))),
        assign(assignor, Map.of("t", 3, "other", 3), Map.of("c", sub("t"))));
    assertEquals(
        Map.of("c", List.of(tp("t1", 0), tp("t2", 0), tp("t2", 1))),
        assign(assignor, Map.of("t1", 1, "t2", 2), Map.of("c", sub("t1", "t2"))));
  }

  @Test
  void twoConsumersOneTopic() {
    assertEquals(
        Map.of("c1", List.of(tp("t", 0)), "c2", List.<TopicPartition>of()),
        assign(assignor, Map.of("t", 1), Map.of("c1", sub("t"), "c2", sub("t"))));
    assertEquals(
        Map.of("c1", List.of(tp("t", 0)), "c2", List.of(tp("t", 1))),
        assign(assignor, Map.of("t", 2), Map.of("c1", sub("t"), "c2", sub("t"))));
  }

  @Test
  void multipleConsumersMixedTopics() {
    assertEquals(
        Map.of(
            "c1", List.of(tp("t1", 0)),
            "c2", List.of(tp("t1", 1), tp("t2", 0), tp("t2", 1)),
            "c3", List.of(tp("t1", 2))),
        assign(
            assignor,
            Map.of("t1", 3, "t2", 2),
            Map.of("c1", sub("t1"), "c2", sub("t1", "t2"), "c3", sub("t1"))));
  }

  @Test
  void rangesArePerTopicSoTheFirstMemberGetsTheExtraOfEach() {
    assertEquals(
        Map.of(
            "c1", List.of(tp("t1", 0), tp("t1", 1), tp("t2", 0), tp("t2", 1)),
            "c2", List.of(tp("t1", 2), tp("t2", 2))),
        assign(
            assignor,
            Map.of("t1", 3, "t2", 3),
            Map.of("c1", sub("t1", "t2"), "c2", sub("t1", "t2"))));
  }

  @Test
  void staticMembersOrderedByInstanceIdFirstSoARestartKeepsTheirRanges() {
    Map<String, Integer> topics = Map.of("t", 5);
    // Dynamic member "a" sorts after every static member; static ones by instance id.
    Map<String, List<TopicPartition>> first =
        assign(
            assignor,
            topics,
            Map.of("a", sub("t"), "z-1", staticSub("i1", "t"), "y-2", staticSub("i2", "t")));
    assertEquals(
        Map.of(
            "z-1", List.of(tp("t", 0), tp("t", 1)),
            "y-2", List.of(tp("t", 2), tp("t", 3)),
            "a", List.of(tp("t", 4))),
        first);
    // i1 restarted with a new member id that sorts last: its range is unchanged.
    Map<String, List<TopicPartition>> restarted =
        assign(
            assignor,
            topics,
            Map.of("a", sub("t"), "zz-9", staticSub("i1", "t"), "y-2", staticSub("i2", "t")));
    assertEquals(first.get("z-1"), restarted.get("zz-9"));
    assertEquals(first.get("y-2"), restarted.get("y-2"));
  }
}
