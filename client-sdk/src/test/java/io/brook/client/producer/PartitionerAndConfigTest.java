package io.brook.client.producer;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.common.errors.ConfigException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.producer.internals.BufferPool;
import io.brook.client.producer.internals.BuiltInPartitioner;
import io.brook.client.producer.internals.RecordAccumulator;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerAndConfigTest {
  private static final Node N1 = new Node(1, "h", 1);

  private static Cluster cluster(String topic, int partitions) {
    List<PartitionInfo> ps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ps.add(new PartitionInfo(topic, p, N1, new Node[] {N1}, new Node[] {N1}));
    }
    return new Cluster("c", List.of(N1), ps, Set.of(), N1);
  }

  @Test
  void murmur2MatchesKafkasTestVectors() {
    Map<String, Integer> cases = new HashMap<>();
    cases.put("21", -973932308);
    cases.put("foobar", -790332482);
    cases.put("a-little-bit-long-string", -985981536);
    cases.put("a-little-bit-longer-string", -1486304829);
    cases.put("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971);
    cases.put("abc", 479470107);
    cases.forEach(
        (k, v) ->
            assertEquals(v, BuiltInPartitioner.murmur2(k.getBytes(StandardCharsets.UTF_8)), k));
    assertEquals(0x7fffffff & -973932308, BuiltInPartitioner.toPositive(-973932308));
  }

  @Test
  void stickyPartitionChangesOnlyWhenABatchCompletes() {
    int[] next = {0};
    BuiltInPartitioner p = new BuiltInPartitioner(bound -> next[0]++ % bound);
    Cluster c = cluster("t", 4);
    int first = p.stickyPartition("t", c);
    assertEquals(first, p.stickyPartition("t", c));
    int second = p.nextPartition("t", c, first);
    assertNotEquals(first, second);
    assertEquals(second, p.stickyPartition("t", c));
    // a stale switch request (prev is no longer current) keeps the current choice
    assertEquals(second, p.nextPartition("t", c, first));
  }

  @Test
  void roundRobinVisitsEveryPartitionInTurn() {
    RoundRobinPartitioner rr = new RoundRobinPartitioner();
    Cluster c = cluster("t", 3);
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      got.add(rr.partition("t", null, null, "v", null, c));
    }
    assertEquals(List.of(0, 1, 2, 0, 1, 2), got);
  }

  @Test
  void badValuesAreRefusedWithKafkasMessage() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "h:1");
    p.put("key.serializer", "io.brook.client.common.serialization.StringSerializer");
    p.put("value.serializer", "io.brook.client.common.serialization.StringSerializer");
    p.put("linger.ms", "-1");
    ConfigException e = assertThrows(ConfigException.class, () -> new ProducerConfig(p));
    assertEquals(
        "Invalid value -1 for configuration linger.ms: Value must be at least 0", e.getMessage());
    p.put("linger.ms", "abc");
    e = assertThrows(ConfigException.class, () -> new ProducerConfig(p));
    assertEquals(
        "Invalid value abc for configuration linger.ms: Not a number of type LONG", e.getMessage());
    p.put("linger.ms", "5");
    p.put("acks", "2");
    e = assertThrows(ConfigException.class, () -> new ProducerConfig(p));
    assertEquals(
        "Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1",
        e.getMessage());
    p.put("acks", "all");
    p.put("some.unknown.key", "x"); // warned and ignored
    ProducerConfig ok = new ProducerConfig(p);
    assertEquals(-1, ok.acks());
    assertEquals(5L, ok.getLong("linger.ms"));
  }

  @Test
  void accumulatorBatchesByBatchSizeAndLinger() {
    RecordAccumulator acc =
        new RecordAccumulator(
            200, CompressionType.NONE, 1000, 100, 120000, new BufferPool(10_000, Time.SYSTEM));
    TopicPartition tp = new TopicPartition("t", 0);
    Cluster c = cluster("t", 1);
    byte[] v = new byte[50];
    RecordAccumulator.RecordAppendResult r1 = acc.append(tp, 0, null, v, null, null, 0, false, 0);
    assertTrue(r1.newBatchCreated());
    assertTrue(acc.ready(c, 0).readyNodes().isEmpty(), "lingering");
    assertEquals(1000, acc.ready(c, 0).nextReadyCheckDelayMs());
    assertEquals(Set.of(N1), acc.ready(c, 1000).readyNodes(), "linger.ms passed");
    RecordAccumulator.RecordAppendResult r = r1;
    int appended = 1;
    while (!r.newBatchCreated() || appended == 1) {
      r = acc.append(tp, 0, null, v, null, null, 0, false, 0);
      appended++;
    }
    assertTrue(r.batchIsFull(), "a second batch makes the first sendable");
    assertEquals(Set.of(N1), acc.ready(c, 0).readyNodes());
    assertEquals(appended - 1, acc.drain(c, N1, 1 << 20, 0).get(0).recordCount());
  }

  @Test
  void fullBufferBlocksUpToMaxBlockThenTimesOut() {
    BufferPool pool = new BufferPool(300, Time.SYSTEM);
    RecordAccumulator acc = new RecordAccumulator(200, CompressionType.NONE, 0, 100, 120000, pool);
    acc.append(new TopicPartition("t", 0), 0, null, new byte[10], null, null, 0, false, 0);
    long start = System.nanoTime();
    assertThrows(
        TimeoutException.class,
        () ->
            acc.append(
                new TopicPartition("t", 1), 0, null, new byte[10], null, null, 100, false, 0));
    assertTrue(System.nanoTime() - start >= 90_000_000L, "blocked for max.block.ms");
  }
}
