package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.Config;
import io.brook.client.admin.ConfigEntry;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.Node;
import io.brook.client.tools.TopicCommand.PartitionFilter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka's kafka-topics.sh --describe partition filters, as a table of partitions and answers. */
class TopicDescribeFilterTest {
  private static final Node N1 = new Node(1, "h", 1);
  private static final Node N2 = new Node(2, "h", 2);
  private static final Node N3 = new Node(3, "h", 3);
  private static final List<Node> RF3 = List.of(N1, N2, N3);

  private record Row(
      String name,
      TopicPartitionInfo p,
      boolean underReplicated,
      boolean unavailable,
      boolean underMinIsr,
      boolean atMinIsr) {}

  @Test
  void filtersMatchKafkasPartitionDescription() {
    // min.insync.replicas=2; broker 3 is not live
    Set<Integer> live = Set.of(1, 2);
    List<Row> rows =
        List.of(
            new Row("healthy", new TopicPartitionInfo(0, N1, RF3, RF3), false, false, false, false),
            new Row(
                "one follower out",
                new TopicPartitionInfo(1, N1, RF3, List.of(N1, N2)),
                true,
                false,
                false,
                true),
            new Row(
                "leader alone",
                new TopicPartitionInfo(2, N2, RF3, List.of(N2)),
                true,
                false,
                true,
                false),
            new Row(
                "offline",
                new TopicPartitionInfo(3, null, RF3, List.of()),
                true,
                true,
                true,
                false),
            new Row(
                "leader on a dead broker",
                new TopicPartitionInfo(4, N3, RF3, RF3),
                false,
                true,
                false,
                false));
    for (Row r : rows) {
      assertTrue(PartitionFilter.ALL.matches(r.p, 2, live), r.name);
      assertEquals(
          r.underReplicated, PartitionFilter.UNDER_REPLICATED.matches(r.p, 2, live), r.name);
      assertEquals(r.unavailable, PartitionFilter.UNAVAILABLE.matches(r.p, 2, live), r.name);
      assertEquals(r.underMinIsr, PartitionFilter.UNDER_MIN_ISR.matches(r.p, 2, live), r.name);
      assertEquals(r.atMinIsr, PartitionFilter.AT_MIN_ISR.matches(r.p, 2, live), r.name);
    }
  }

  @Test
  void withoutMinIsrOnlyLeaderlessPartitionsAreUnderMinIsr() {
    TopicPartitionInfo alone = new TopicPartitionInfo(0, N1, RF3, List.of(N1));
    TopicPartitionInfo offline = new TopicPartitionInfo(1, null, RF3, List.of());
    assertFalse(PartitionFilter.UNDER_MIN_ISR.matches(alone, null, Set.of()));
    assertTrue(PartitionFilter.UNDER_MIN_ISR.matches(offline, null, Set.of()));
    assertFalse(PartitionFilter.AT_MIN_ISR.matches(alone, null, Set.of()));
  }

  @Test
  void minIsrComesFromTheTopicConfig() {
    List<ConfigEntry> entries = new ArrayList<>();
    entries.add(
        new ConfigEntry(
            "min.insync.replicas",
            "2",
            ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
            false,
            false));
    assertEquals(2, TopicCommand.minIsr(new Config(entries)));
    assertNull(TopicCommand.minIsr(null));
    assertNull(TopicCommand.minIsr(new Config(List.of())));
  }

  @Test
  void offlinePartitionsShowLeaderNone() {
    assertEquals(
        "\tTopic: T\tPartition: 3\tLeader: none\tReplicas: 1,2,3\tIsr: ",
        TopicCommand.partitionLine("T", new TopicPartitionInfo(3, null, RF3, List.of())));
  }

  @Test
  void twoFiltersAreRefusedAsKafkaDoes() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    PrintStream err = System.err;
    ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc =
          TopicCommand.run(
              new String[] {
                "--bootstrap-server",
                "127.0.0.1:1",
                "--describe",
                "--under-replicated-partitions",
                "--unavailable-partitions"
              },
              out);
    } finally {
      System.setErr(err);
    }
    assertEquals(1, rc);
    String all = buf.toString(StandardCharsets.UTF_8) + errBuf.toString(StandardCharsets.UTF_8);
    assertTrue(
        all.contains(
            "Option \"[under-replicated-partitions]\" can't be used with option"
                + " \"[unavailable-partitions]\""),
        all);
  }
}
