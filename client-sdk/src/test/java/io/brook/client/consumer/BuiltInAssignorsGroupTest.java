package io.brook.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.serialization.StringDeserializer;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A group of three consumers with each built-in assignor (loaded by short name, as configured by
 * users) against the fake coordinator: six partitions split two each, then three each when one
 * member leaves, never one partition owned by two members. Skipped while the assignor classes are
 * not on the class path (they are written in parallel with this consumer).
 */
class BuiltInAssignorsGroupTest {
  private static final long WAIT_MS = 30_000;
  private FakeGroupBroker broker;
  private final List<BrookConsumer<String, String>> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker = new FakeGroupBroker();
  }

  @AfterEach
  void stop() {
    for (BrookConsumer<String, String> c : open) {
      c.close(Duration.ofSeconds(1));
    }
    broker.close();
  }

  private static boolean present(String className) {
    try {
      Class.forName(className);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private BrookConsumer<String, String> consumer(String strategy) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("fetch.max.wait.ms", "20");
    p.put("group.id", "g");
    if (strategy != null) {
      p.put("partition.assignment.strategy", strategy);
    }
    p.put("heartbeat.interval.ms", "20");
    p.put("retry.backoff.ms", "10");
    BrookConsumer<String, String> c =
        new BrookConsumer<>(new ConsumerConfig(p), null, null, broker.channels(), Time.SYSTEM);
    open.add(c);
    return c;
  }

  private void pollUntilBalanced(List<BrookConsumer<String, String>> members, int each) {
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (true) {
      Set<TopicPartition> seen = new HashSet<>();
      boolean balanced = broker.state() == FakeGroupBroker.State.STABLE;
      for (BrookConsumer<String, String> c : members) {
        for (TopicPartition tp : c.assignment()) {
          assertTrue(seen.add(tp), tp + " owned by two members at once");
        }
        balanced &= c.assignment().size() == each;
      }
      if (balanced && seen.size() == 6) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "not balanced in time");
      for (BrookConsumer<String, String> c : members) {
        c.poll(Duration.ofMillis(30));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky", "default"})
  void threeMembersSplitSixPartitionsAndTheRestTakeOverWhenOneLeaves(String strategy) {
    Assumptions.assumeTrue(
        present("io.brook.client.consumer.RangeAssignor")
            && present("io.brook.client.consumer.CooperativeStickyAssignor"),
        "the built-in assignors are not merged yet");
    broker.createTopic("t", 6);
    String s = strategy.equals("default") ? null : strategy;
    List<BrookConsumer<String, String>> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      BrookConsumer<String, String> c = consumer(s);
      c.subscribe(List.of("t"));
      members.add(c);
      pollUntilBalanced(members, 6 / members.size());
    }
    BrookConsumer<String, String> leaving = members.remove(0);
    leaving.close();
    assertEquals(1, broker.leaves.size());
    pollUntilBalanced(members, 3);
  }
}
