package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.Node;
import java.text.SimpleDateFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ToolOutputTest {
  /** The sed expression of run.sh, as a Java regex. */
  private static final Pattern PRODUCER_SUMMARY =
      Pattern.compile(
          "^([0-9]+) records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), ([0-9.]+) ms avg"
              + " latency, ([0-9.]+) ms max latency, ([0-9]+) ms 50th, ([0-9]+) ms 95th, ([0-9]+)"
              + " ms 99th, ([0-9]+) ms 99.9th.*");

  @Test
  void producerPerfSummaryMatchesTheBenchmarkParser() {
    ProducerPerformance.Stats s = new ProducerPerformance.Stats(1000, 5000, 0);
    for (int i = 0; i < 1000; i++) {
      s.record(i % 100, 1024, 1);
    }
    String line = s.totalLine(10_000);
    assertTrue(PRODUCER_SUMMARY.matcher(line).matches(), line);
    assertEquals(
        "1000 records sent, 100.0 records/sec (0.10 MB/sec), 49.50 ms avg latency, 99.00 ms max"
            + " latency, 50 ms 50th, 95 ms 95th, 99 ms 99th, 99 ms 99.9th.",
        line);
  }

  @Test
  void consumerPerfLineHasKafkasTenFields() {
    String line =
        ConsumerPerformance.resultLine(
            new SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS"), 0, 2000, 2 * 1024 * 1024, 2000, 0);
    String[] f = line.split(", ");
    assertEquals(10, f.length, line);
    assertTrue(f[0].matches("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}:[0-9]{3}"));
    assertEquals("2.0000", f[2]);
    assertEquals("1.0000", f[3]);
    assertEquals("2000", f[4]);
    assertEquals("1000.0000", f[5]);
    assertEquals("0", f[6]);
    assertEquals("2000", f[7]);
  }

  @Test
  void describeLinesAreKafkas() {
    Node n1 = new Node(1, "h", 1);
    Node n2 = new Node(2, "h", 2);
    TopicPartitionInfo p0 = new TopicPartitionInfo(0, n1, List.of(n1, n2), List.of(n1, n2));
    TopicPartitionInfo p1 = new TopicPartitionInfo(1, null, List.of(n2, n1), List.of());
    assertEquals(
        "\tTopic: T\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2",
        TopicCommand.partitionLine("T", p0));
    assertEquals(
        "\tTopic: T\tPartition: 1\tLeader: none\tReplicas: 2,1\tIsr: ",
        TopicCommand.partitionLine("T", p1));
    assertEquals(
        "Topic: T\tTopicId: abc\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: ",
        TopicCommand.topicLine(new TopicDescription("T", false, List.of(p0, p1), "abc"), null));
  }

  @Test
  void replicaAssignmentParsing() {
    assertEquals(
        Map.of(0, List.of(1, 2), 1, List.of(2, 3)), TopicCommand.parseReplicaAssignment("1:2,2:3"));
    assertThrows(ToolArgs.UsageException.class, () -> TopicCommand.parseReplicaAssignment("1:1"));
  }

  @Test
  void consoleProducerLineWithoutSeparatorIsAnError() {
    java.util.Properties p = new java.util.Properties();
    p.put("parse.key", "true");
    p.put("key.separator", ":");
    ConsoleProducer.LineReader r = new ConsoleProducer.LineReader(p);
    assertArrayEquals(new String[] {"k", "v:w"}, r.parse("k:v:w", 1));
    ToolArgs.UsageException e = assertThrows(ToolArgs.UsageException.class, () -> r.parse("kv", 3));
    assertEquals("No key separator found on line number 3: 'kv'", e.getMessage());
  }

  @Test
  void unknownFlagExitsNonZeroWithOneLine() {
    assertEquals(1, ProducerPerformance.run(new String[] {"--bogus"}));
    assertEquals(
        1,
        ConsumerPerformance.run(
            new String[] {
              "--topic", "t", "--messages", "1", "--bootstrap-server", "h:1", "--no-such-flag"
            },
            System.out));
  }
}
