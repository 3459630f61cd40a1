package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.FakeGroupBroker;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectionType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** brook-leader-election.sh: option checks, Kafka's output lines and exit codes. */
class LeaderElectionCommandTest {
  @TempDir Path dir;
  private FakeGroupBroker broker;
  private String out;
  private String err;

  @BeforeEach
  void setUp() throws Exception {
    broker = new FakeGroupBroker();
    broker.ops.brokers.putAll(Map.of(2, "", 3, ""));
    broker.ops.topic(
        "t", List.of(List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2), List.of(1, 3, 2)));
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  private int run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    String[] full = new String[args.length + 2];
    full[0] = "--bootstrap-server";
    full[1] = "fakehost:9092";
    System.arraycopy(args, 0, full, 2, args.length);
    int code =
        LeaderElectionCommand.run(
            full,
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8),
            p -> broker.admin());
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return code;
  }

  @Test
  void optionCombinationsAreChecked() {
    String[][] cases = {
      {"--all-topic-partitions", "Missing required option(s) [election-type]"},
      {"--election-type fair --all-topic-partitions", "Invalid --election-type \"fair\""},
      {"--election-type preferred", "One and only one of the following options is required"},
      {
        "--election-type preferred --all-topic-partitions --topic t --partition 0",
        "One and only one of the following options is required"
      },
      {"--election-type preferred --topic t", "Missing required option(s) [partition]"},
      {"--election-type preferred --partition 1", "Missing required option(s) [topic]"},
      {"--election-type preferred --topic t --partition x", "Invalid value for --partition: x"},
      {
        "--election-type preferred --path-to-json-file /nonexistent/f.json",
        "Cannot read /nonexistent/f.json"
      },
    };
    for (String[] c : cases) {
      assertEquals(1, run(c[0].split(" ")), c[0]);
      assertTrue(err.startsWith("Error: " + c[1]), c[0] + " -> " + err);
    }
  }

  @Test
  void preferredElectionOverAllPartitionsReportsElectedAndAlreadyElected() {
    broker.ops.leaders.put(new TopicPartition("t", 0), 2);
    broker.ops.leaders.put(new TopicPartition("t", 2), 1);
    assertEquals(0, run("--election-type", "PREFERRED", "--all-topic-partitions"), err);
    assertEquals(
        "Successfully completed leader election (PREFERRED) for partitions t-0, t-2\n"
            + "Valid replica already elected for partitions t-1, t-3\n",
        out);
    assertEquals("", err);
    ElectLeadersRequest sent =
        (ElectLeadersRequest)
            broker.requests.stream()
                .filter(r -> r instanceof ElectLeadersRequest)
                .findFirst()
                .get();
    assertTrue(sent.getAllPartitions());
    assertEquals(ElectionType.PREFERRED, sent.getElectionType());
  }

  @Test
  void failuresArePrintedPerPartitionAndExitOne() throws Exception {
    broker.ops.brokers.remove(3);
    broker.ops.leaders.put(new TopicPartition("t", 2), 1);
    Path f = dir.resolve("p.json");
    Files.writeString(
        f,
        "{\"partitions\":[{\"topic\":\"t\",\"partition\":2},{\"topic\":\"t\",\"partition\":1},"
            + "{\"topic\":\"nope\",\"partition\":0}]}");
    assertEquals(1, run("--election-type", "preferred", "--path-to-json-file", f.toString()));
    // as Kafka: the failures on standard output, with the exception (class name and message)
    List<String> lines = out.lines().toList();
    assertEquals(3, lines.size(), out);
    assertEquals("Valid replica already elected for partitions t-1", lines.get(0));
    assertTrue(
        lines
            .get(1)
            .matches(
                "Error completing leader election \\(PREFERRED\\) for partition: nope-0: "
                    + "[\\w.$]+Exception: Partition nope-0 does not exist"),
        lines.get(1));
    assertTrue(
        lines
            .get(2)
            .matches(
                "Error completing leader election \\(PREFERRED\\) for partition: t-2: "
                    + "[\\w.$]+Exception: Preferred replica 3 of t-2 is not live"),
        lines.get(2));
    assertEquals("2 replica(s) could not be elected\n", err);
  }

  @Test
  void uncleanElectionOfOnePartition() {
    broker.ops.brokers.remove(1);
    broker.ops.leaders.put(new TopicPartition("t", 3), -1);
    assertEquals(0, run("--election-type", "unclean", "--topic", "t", "--partition", "3"), err);
    assertEquals("Successfully completed leader election (UNCLEAN) for partitions t-3\n", out);
    assertEquals(3, broker.ops.leaders.get(new TopicPartition("t", 3)));
    assertEquals(0, run("--election-type", "unclean", "--topic", "t", "--partition", "3"));
    assertEquals("Valid replica already elected for partitions t-3\n", out);
  }
}
