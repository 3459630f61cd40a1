package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AdminClientConfig;
import io.brook.client.admin.BrookAdmin;
import io.brook.client.admin.ConsumerGroupState;
import io.brook.client.admin.FakeGroupBroker;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.OffsetCommitRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** brook-consumer-groups.sh: argument checks (pure) and whole runs against a fake coordinator. */
class ConsumerGroupCommandTest {
  private static final TopicPartition T0 = new TopicPartition("orders", 0);
  private static final TopicPartition T1 = new TopicPartition("orders", 1);

  private FakeGroupBroker broker;
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;
  private long nowMs = 80_000;

  @BeforeEach
  void setUp() throws Exception {
    broker = new FakeGroupBroker();
    // partitions of "orders": log [10, 100); the record at offset o has timestamp o * 1000
    broker.topic("orders", 10, 100, 2);
  }

  @AfterEach
  void tearDown() {
    broker.close();
  }

  private int run(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    String[] full = new String[args.length + 2];
    full[0] = "--bootstrap-server";
    full[1] = "fakehost:9092";
    System.arraycopy(args, 0, full, 2, args.length);
    Time clock =
        new Time() {
          @Override
          public long milliseconds() {
            return nowMs;
          }

          @Override
          public long nanoseconds() {
            return System.nanoTime();
          }

          @Override
          public void sleep(long ms) throws InterruptedException {
            Time.SYSTEM.sleep(ms);
          }
        };
    return ConsumerGroupCommand.run(
        full,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        this::admin,
        clock);
  }

  private Admin admin(Properties props) {
    Map<String, Object> conf = new HashMap<>();
    props.forEach((k, v) -> conf.put(String.valueOf(k), v));
    conf.put("retry.backoff.ms", "1");
    return new BrookAdmin(new AdminClientConfig(conf), broker.channels(), Time.SYSTEM);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String resetRow(String group, TopicPartition tp, long offset) {
    return String.format("%-30s %-30s %-10s %-15s", group, tp.topic(), tp.partition(), offset);
  }

  // ------------------------------------------------------------------ argument checks

  private static String usageError(String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "--bootstrap-server";
    full[1] = "b:1";
    System.arraycopy(args, 0, full, 2, args.length);
    ToolArgs.UsageException e =
        assertThrows(
            ToolArgs.UsageException.class,
            () -> ConsumerGroupCommandOptions.checkArgs(ConsumerGroupCommandOptions.parse(full)),
            String.join(" ", args));
    return e.getMessage();
  }

  @Test
  void badFlagCombinationsAreRefusedWithKafkasMessages() {
    String[][] cases = {
      {"Command must include exactly one action", "--group", "g"},
      {"Command must include exactly one action", "--list", "--describe", "--group", "g"},
      {"Option [describe] takes one of these options: [group], [all-groups]", "--describe"},
      {
        "Option [describe] takes at most one of these options: [members], [offsets], [state]",
        "--describe",
        "--group",
        "g",
        "--members",
        "--state"
      },
      {
        "Option [describe] does not take a value for [state]",
        "--describe",
        "--group",
        "g",
        "--state",
        "Stable"
      },
      {"Option [delete] takes one of these options", "--delete"},
      {
        "The consumer does not support topic-specific offset deletion",
        "--delete",
        "--group",
        "g",
        "--topic",
        "t"
      },
      {
        "Option [delete-offsets] takes the following options: [group], [topic]",
        "--delete-offsets",
        "--group",
        "g"
      },
      {
        "Option [reset-offsets] only accepts one of [execute] and [dry-run]",
        "--reset-offsets",
        "--group",
        "g",
        "--topic",
        "t",
        "--to-earliest",
        "--dry-run",
        "--execute"
      },
      {
        "Option [reset-offsets] takes one of these options",
        "--reset-offsets",
        "--topic",
        "t",
        "--to-earliest"
      },
      {
        "Option \"[to-offset]\" can't be used with option \"[to-earliest]\"",
        "--reset-offsets",
        "--group",
        "g",
        "--topic",
        "t",
        "--to-earliest",
        "--to-offset",
        "3"
      },
      {
        "Option [reset-offsets] requires one of the following scenarios",
        "--reset-offsets",
        "--group",
        "g",
        "--topic",
        "t"
      },
      {
        "One of the reset scopes should be defined: --all-topics, --topic.",
        "--reset-offsets",
        "--group",
        "g",
        "--to-latest"
      },
      {
        "Option \"[all-topics]\" can't be used with option \"[topic]\"",
        "--reset-offsets",
        "--group",
        "g",
        "--topic",
        "t",
        "--all-topics",
        "--to-latest"
      },
      {
        "Option \"[to-latest]\" can only be used with option \"[reset-offsets]\"",
        "--describe",
        "--group",
        "g",
        "--to-latest"
      },
      {
        "Option \"[execute]\" can only be used with option \"[reset-offsets]\"",
        "--delete",
        "--group",
        "g",
        "--execute"
      },
      {
        "Option \"[group]\" can't be used with option \"[all-groups]\"",
        "--describe",
        "--group",
        "g",
        "--all-groups"
      },
      {
        "Option \"[topic]\" can't be used with option \"[describe]\"",
        "--describe",
        "--group",
        "g",
        "--topic",
        "t"
      },
      {"Option \"[members]\" can only be used with option \"[describe]\"", "--list", "--members"},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      String message = usageError(args);
      assertTrue(message.startsWith(c[0]), String.join(" ", args) + " -> " + message);
    }
    assertEquals(
        "Missing required argument \"[bootstrap-server]\"",
        assertThrows(
                ToolArgs.UsageException.class,
                () ->
                    ConsumerGroupCommandOptions.checkArgs(
                        ConsumerGroupCommandOptions.parse(new String[] {"--list"})))
            .getMessage());
  }

  @Test
  void goodCombinationsPass() {
    List<String[]> ok =
        List.of(
            new String[] {"--list"},
            new String[] {"--list", "--state"},
            new String[] {"--list", "--state", "Stable,Empty"},
            new String[] {"--describe", "--all-groups", "--members", "--verbose"},
            new String[] {"--describe", "--group", "a", "--group", "b", "--state"},
            new String[] {"--reset-offsets", "--all-groups", "--all-topics", "--to-current"},
            new String[] {"--reset-offsets", "--group", "g", "--from-file", "plan.csv"},
            new String[] {"--delete-offsets", "--group", "g", "--topic", "t:0,1"});
    for (String[] args : ok) {
      String[] full = new String[args.length + 2];
      full[0] = "--bootstrap-server";
      full[1] = "b:1";
      System.arraycopy(args, 0, full, 2, args.length);
      assertDoesNotThrow(
          () -> ConsumerGroupCommandOptions.checkArgs(ConsumerGroupCommandOptions.parse(full)),
          String.join(" ", args));
    }
  }

  @Test
  void topicArgumentsAndStates() {
    ConsumerGroupCommandOptions.TopicArgs t =
        ConsumerGroupCommandOptions.TopicArgs.parse(List.of("a:0,2", "b", "c:1"));
    assertEquals(
        List.of(new TopicPartition("a", 0), new TopicPartition("a", 2), new TopicPartition("c", 1)),
        t.partitions());
    assertEquals(List.of("b"), t.wholeTopics());
    assertEquals(
        "Invalid partition 'x' specified in topic arg 'a:x'",
        assertThrows(
                ToolArgs.UsageException.class,
                () -> ConsumerGroupCommandOptions.TopicArgs.parse(List.of("a:x")))
            .getMessage());
    assertThrows(
        ToolArgs.UsageException.class,
        () -> ConsumerGroupCommandOptions.TopicArgs.parse(List.of("a:")));
    assertEquals(
        Set.of(ConsumerGroupState.STABLE, ConsumerGroupState.EMPTY),
        ConsumerGroupCommandOptions.parseStates("stable,Empty"));
    assertThrows(
        ToolArgs.UsageException.class, () -> ConsumerGroupCommandOptions.parseStates("Busy"));
  }

  // ------------------------------------------------------------------ whole runs

  @Test
  void resetIsRefusedWhileTheGroupHasActiveMembersAndChangesNothing() {
    broker.member("g", "c-1", "", "client", "/h", List.of(T0, T1));
    broker.group("g").committed.put(T0, 50L);
    assertEquals(
        1,
        run("--reset-offsets", "--group", "g", "--topic", "orders", "--to-earliest", "--execute"));
    assertEquals(
        "\nError: Assignments can only be reset if the group 'g' is inactive, but the current state"
            + " is Stable.\n",
        out());
    assertTrue(broker.commits.isEmpty(), "no commit sent");
    assertEquals(50L, broker.group("g").committed.get(T0));
  }

  @Test
  void executeCommitsThePlanOfAnEmptyGroup() {
    broker.group("g").committed.put(T0, 50L);
    assertEquals(
        0,
        run(
            "--reset-offsets",
            "--group",
            "g",
            "--topic",
            "orders:0",
            "--to-offset",
            "5",
            "--execute"));
    assertEquals(
        "\n"
            + String.format("%-30s %-30s %-10s %-15s", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")
            + "\n"
            + resetRow("g", T0, 10)
            + "\n\n",
        out());
    assertTrue(
        err()
            .contains(
                "WARN: New offset (5) is lower than earliest offset for topic partition orders-0."
                    + " Value will be set to 10"),
        err());
    assertEquals(1, broker.commits.size());
    OffsetCommitRequest c = broker.commits.get(0);
    assertEquals(-1, c.getGenerationId());
    assertEquals(10L, broker.group("g").committed.get(T0));
  }

  @Test
  void dryRunIsTheDefaultAndCommitsNothing() {
    broker.group("g").committed.put(T0, 50L);
    broker.group("g").committed.put(T1, 60L);
    assertEquals(0, run("--reset-offsets", "--group", "g", "--all-topics", "--shift-by", "-20"));
    assertTrue(
        err().startsWith("WARN: No action will be performed as the --execute option is missing."));
    assertTrue(out().contains(resetRow("g", T0, 30)), out());
    assertTrue(out().contains(resetRow("g", T1, 40)), out());
    assertTrue(broker.commits.isEmpty());
    assertEquals(
        0, run("--reset-offsets", "--group", "g", "--all-topics", "--to-latest", "--dry-run"));
    assertEquals("", err());
    assertTrue(broker.commits.isEmpty());
  }

  @Test
  void timeTargetsUseTheInjectedClockAndTheLeadersTimestampIndex() {
    broker.group("g");
    nowMs = 80_000;
    assertEquals(
        0,
        run(
            "--reset-offsets",
            "--group",
            "g",
            "--topic",
            "orders",
            "--by-duration",
            "PT30S",
            "--execute"));
    assertEquals(Map.of(T0, 50L, T1, 50L), broker.group("g").committed);
    assertEquals(
        0,
        run(
            "--reset-offsets",
            "--group",
            "g",
            "--topic",
            "orders:1",
            "--to-datetime",
            "1970-01-01T00:00:20.000",
            "--execute"));
    assertEquals(20L, broker.group("g").committed.get(T1));
    assertEquals(
        0,
        run(
            "--reset-offsets",
            "--group",
            "g",
            "--topic",
            "orders:1",
            "--to-datetime",
            "1970-01-01T01:00:00.000+01:00",
            "--execute"));
    assertEquals(10L, broker.group("g").committed.get(T1), "midnight UTC: before every record");
  }

  @Test
  void unknownGroupCanBeResetAndExportsAndImportsCsv(@TempDir Path dir) throws Exception {
    assertEquals(
        0,
        run(
            "--reset-offsets",
            "--group",
            "new",
            "--topic",
            "orders",
            "--to-current",
            "--dry-run",
            "--export"));
    assertEquals("orders,0,100\norders,1,100\n", out(), "no committed offset: the log end");
    Path plan = dir.resolve("plan.csv");
    Files.writeString(plan, "orders,0,42\norders,1,1000\n");
    assertEquals(
        0, run("--reset-offsets", "--group", "new", "--from-file", plan.toString(), "--execute"));
    assertEquals(Map.of(T0, 42L, T1, 100L), broker.group("new").committed);
  }

  @Test
  void describeOffsetsMembersAndState() {
    broker.member("g", "consumer-1-abc", "", "consumer-1", "/127.0.0.1", List.of(T0));
    broker.group("g").committed.put(T0, 90L);
    broker.group("g").committed.put(T1, 95L);
    assertEquals(0, run("--describe", "--group", "g"));
    String[] lines = out().split("\n");
    assertEquals("", lines[0]);
    assertTrue(
        lines[1].startsWith(
            String.format("%-15s %-15s %-10s CURRENT-OFFSET", "GROUP", "TOPIC", "PARTITION")),
        lines[1]);
    assertTrue(
        lines[2].matches(
            "g\\s+orders\\s+0\\s+90\\s+100\\s+10\\s+consumer-1-abc\\s+/127.0.0.1\\s+consumer-1"),
        lines[2]);
    assertTrue(lines[3].matches("g\\s+orders\\s+1\\s+95\\s+100\\s+5\\s+-\\s+-\\s+-"), lines[3]);

    assertEquals(0, run("--describe", "--group", "g", "--members", "--verbose"));
    assertTrue(out().contains(String.format("%-15s ASSIGNMENT", "#PARTITIONS")), out());
    assertTrue(out().contains("orders(0)"), out());
    assertEquals(0, run("--describe", "--group", "g", "--state"));
    assertTrue(out().contains("fakehost:9092 (1)"), out());
    assertTrue(out().matches("(?s).*g\\s+fakehost:9092 \\(1\\)\\s+range\\s+Stable\\s+1\\n"), out());

    assertEquals(0, run("--describe", "--group", "missing"));
    assertEquals("\nError: Consumer group 'missing' does not exist.\n", out());

    broker.group("idle").committed.put(T1, 11L);
    assertEquals(0, run("--describe", "--group", "idle"));
    assertEquals("\nConsumer group 'idle' has no active members.\n", err());
    assertTrue(out().contains(String.format("%-15s %-15s %s%n", "-", "-", "-")), out());
  }

  @Test
  void listDeleteAndDeleteOffsets() {
    broker.member("busy", "c-1", "", "client", "/h", List.of(T0));
    broker.group("idle").committed.put(T0, 1L);
    assertEquals(0, run("--list"));
    assertEquals("busy\nidle\n", out());
    assertEquals(0, run("--list", "--state", "Empty"));
    assertEquals(
        String.format("%-15s STATE%n%-15s Empty%n", "GROUP", "idle"), out(), "Kafka's --state");

    assertEquals(0, run("--delete-offsets", "--group", "idle", "--topic", "orders:0"));
    assertTrue(
        out().startsWith("Request succeed for deleting offsets with topic orders:0 group idle\n"),
        out());
    assertFalse(broker.group("idle").committed.containsKey(T0));

    assertEquals(1, run("--delete", "--group", "busy", "--group", "idle"));
    assertTrue(out().contains("* Group 'busy' could not be deleted due to:"), out());
    assertTrue(out().contains("These consumer groups were deleted successfully: 'idle'"), out());
    broker.group("other");
    assertEquals(0, run("--delete", "--group", "other"));
    assertEquals("Deletion of requested consumer groups ('other') was successful.\n", out());
  }

  @Test
  void allGroupsResetsTheInactiveOnesAndRefusesTheActiveOnes() {
    broker.member("busy", "c-1", "", "client", "/h", List.of(T0));
    broker.group("busy").committed.put(T0, 50L);
    broker.group("idle").committed.put(T0, 50L);
    assertEquals(
        1, run("--reset-offsets", "--all-groups", "--all-topics", "--to-earliest", "--execute"));
    assertTrue(
        out()
            .startsWith(
                "\nError: Assignments can only be reset if the group 'busy' is inactive, but the"
                    + " current state is Stable.\n"),
        out());
    assertTrue(out().contains(resetRow("idle", T0, 10)), out());
    assertFalse(out().contains(resetRow("busy", T0, 10)), out());
    assertEquals(50L, broker.group("busy").committed.get(T0), "the active group is untouched");
    assertEquals(10L, broker.group("idle").committed.get(T0));
    assertEquals(1, broker.commits.size());
    assertEquals("idle", broker.commits.get(0).getGroupId());
  }

  @Test
  void rebalancingGroupIsFlaggedAndUnknownTopicsFailTheReset() {
    broker.member("g", "c-1", "", "client", "/h", List.of(T0));
    broker.group("g").state = "PreparingRebalance";
    assertEquals(0, run("--describe", "--group", "g"));
    assertEquals("\nWarning: Consumer group 'g' is rebalancing.\n", err());

    broker.group("empty");
    assertEquals(
        1,
        run("--reset-offsets", "--group", "empty", "--topic", "nope", "--to-latest", "--execute"));
    assertTrue(broker.commits.isEmpty());
  }
}
