package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.ConfigResource;
import io.brook.client.admin.FakeGroupBroker;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** brook-reassign-partitions.sh: option checks and whole runs against the fake cluster. */
class ReassignPartitionsCommandTest {
  private static final TopicPartition T0 = new TopicPartition("t", 0);
  private static final TopicPartition T1 = new TopicPartition("t", 1);
  private static final String MOVE_T =
      "{\"version\":1,\"partitions\":["
          + "{\"topic\":\"t\",\"partition\":0,\"replicas\":[2,3,4]},"
          + "{\"topic\":\"t\",\"partition\":1,\"replicas\":[3,4,2]}]}";

  @TempDir Path dir;
  private FakeGroupBroker broker;
  private String out;
  private String err;

  @BeforeEach
  void setUp() throws Exception {
    broker = new FakeGroupBroker();
    broker.ops.brokers.putAll(Map.of(2, "", 3, "", 4, ""));
    broker.ops.topic("t", List.of(List.of(1, 2, 3), List.of(2, 3, 1)));
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
        ReassignPartitionsCommand.run(
            full,
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8),
            p -> broker.admin(),
            new Random(42));
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return code;
  }

  private String file(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p.toString();
  }

  @Test
  void optionCombinationsAreChecked() throws Exception {
    String f = file("plan.json", MOVE_T);
    String[][] cases = {
      {"", "Command must include exactly one action"},
      {
        "--execute --verify --reassignment-json-file " + f,
        "Command must include exactly one action"
      },
      {"--execute", "Missing required argument \"[reassignment-json-file]\" for action --execute"},
      {"--generate --broker-list 1,2", "Missing required argument \"[topics-to-move-json-file]\""},
      {
        "--verify --reassignment-json-file " + f + " --throttle 10",
        "Option \"[throttle]\" can't be used with action \"[verify]\""
      },
      {"--list --additional", "Option \"[additional]\" can't be used with action \"[list]\""},
      {
        "--execute --reassignment-json-file " + f + " --throttle -5",
        "Invalid --throttle -5: must be positive"
      },
      {
        "--execute --reassignment-json-file " + f + " --throttle fast",
        "Invalid --throttle \"fast\""
      },
      {
        "--generate --topics-to-move-json-file " + f + " --broker-list 1,x",
        "Invalid broker id \"x\" in --broker-list"
      },
      {
        "--generate --topics-to-move-json-file " + f + " --broker-list 1,2,1",
        "Broker list contains duplicate entries: 1"
      },
      {"--list --nope", "nope is not a recognized option"},
    };
    for (String[] c : cases) {
      String[] args = c[0].isEmpty() ? new String[0] : c[0].split(" ");
      assertEquals(1, run(args), c[0]);
      assertTrue(err.startsWith("Error: " + c[1]), c[0] + " -> " + err);
    }
  }

  @Test
  void generateProposesABalancedPlanOnTheGivenBrokers() throws Exception {
    String topics = file("topics.json", "{\"version\":1,\"topics\":[{\"topic\":\"t\"}]}");
    assertEquals(
        0, run("--generate", "--topics-to-move-json-file", topics, "--broker-list", "2,3,4"), err);
    String[] lines = out.split("\n");
    assertEquals("Current partition replica assignment", lines[0]);
    assertEquals(
        "{\"version\":1,\"partitions\":["
            + "{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2,3],\"log_dirs\":[\"any\",\"any\",\"any\"]},"
            + "{\"topic\":\"t\",\"partition\":1,\"replicas\":[2,3,1],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}",
        lines[1]);
    assertEquals("", lines[2]);
    assertEquals("Proposed partition reassignment configuration", lines[3]);
    Map<TopicPartition, List<Integer>> proposed = ReassignmentJson.parseReassignment(lines[4]);
    assertEquals(List.of(T0, T1), List.copyOf(proposed.keySet()));
    proposed
        .values()
        .forEach(
            rs -> assertTrue(List.of(2, 3, 4).containsAll(rs) && rs.size() == 3, rs.toString()));
    assertNotEquals(proposed.get(T0).get(0), proposed.get(T1).get(0), "leaders spread");

    // the same seed gives the same plan
    String first = out;
    run("--generate", "--topics-to-move-json-file", topics, "--broker-list", "2,3,4");
    assertEquals(first, out);
  }

  @Test
  void generateUsesRacksWhenEveryBrokerHasOne() throws Exception {
    broker.ops.brokers.putAll(Map.of(1, "a", 2, "a", 3, "b", 4, "b"));
    String topics = file("topics.json", "{\"version\":1,\"topics\":[{\"topic\":\"t\"}]}");
    broker.ops.topic("t", List.of(List.of(1, 2), List.of(2, 1)));
    assertEquals(
        0,
        run("--generate", "--topics-to-move-json-file", topics, "--broker-list", "1,2,3,4"),
        err);
    Map<TopicPartition, List<Integer>> proposed =
        ReassignmentJson.parseReassignment(out.split("\n")[4]);
    Map<Integer, String> racks = broker.ops.brokers;
    proposed.forEach(
        (tp, rs) -> assertNotEquals(racks.get(rs.get(0)), racks.get(rs.get(1)), tp + " " + rs));
  }

  @Test
  void generateRefusesUnknownBrokersAndTopics() throws Exception {
    String topics = file("topics.json", "{\"version\":1,\"topics\":[{\"topic\":\"t\"}]}");
    assertEquals(
        1, run("--generate", "--topics-to-move-json-file", topics, "--broker-list", "2,3,9"));
    assertEquals(
        "Error: Unknown broker id(s) in --broker-list: 9 (brokers in the cluster: 1,2,3,4)\n", err);
    String missing = file("missing.json", "{\"version\":1,\"topics\":[{\"topic\":\"nope\"}]}");
    assertEquals(
        1, run("--generate", "--topics-to-move-json-file", missing, "--broker-list", "2,3,4"));
    assertEquals("Error: Topic nope not found\n", err);
    String bad = file("bad.json", "{\"version\":1,\"topics\":[{\"topic\":\"t\"}");
    assertEquals(1, run("--generate", "--topics-to-move-json-file", bad, "--broker-list", "2,3,4"));
    assertTrue(err.startsWith("Error: Invalid JSON in topics-to-move JSON (line 1"), err);
  }

  @Test
  void executeWithThrottleThenVerifyRemovesTheThrottleOnceDone() throws Exception {
    String plan = file("plan.json", MOVE_T);
    assertEquals(0, run("--execute", "--reassignment-json-file", plan, "--throttle", "50000"), err);
    assertEquals(
        String.join(
            "\n",
            "Current partition replica assignment",
            "",
            "{\"version\":1,\"partitions\":["
                + "{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2,3],\"log_dirs\":[\"any\",\"any\",\"any\"]},"
                + "{\"topic\":\"t\",\"partition\":1,\"replicas\":[2,3,1],\"log_dirs\":[\"any\",\"any\",\"any\"]}]}",
            "",
            "Save this to use as the --reassignment-json-file option during rollback",
            "Warning: You must run --verify periodically, until the reassignment completes, to"
                + " ensure the throttle is removed.",
            "The inter-broker throttle limit was set to 50000 B/s",
            "Successfully started partition reassignments for t-0,t-1",
            ""),
        out);
    assertEquals(Map.of(T0, List.of(2, 3, 4), T1, List.of(3, 4, 2)), broker.ops.moving);
    for (String b : List.of("1", "2", "3", "4")) {
      assertEquals(
          Map.of(
              "leader.replication.throttled.rate", "50000",
              "follower.replication.throttled.rate", "50000"),
          broker.ops.config(ConfigResource.Type.BROKER, b),
          "broker " + b);
    }
    assertEquals(
        Map.of(
            "leader.replication.throttled.replicas", "0:1,0:2,0:3,1:2,1:3,1:1",
            "follower.replication.throttled.replicas", "0:4,1:4"),
        broker.ops.config(ConfigResource.Type.TOPIC, "t"));

    assertEquals(0, run("--list"));
    assertEquals(
        "Current partition reassignments:\n"
            + "t-0: replicas: 2,3,4,1. adding: 4. removing: 1.\n"
            + "t-1: replicas: 3,4,2,1. adding: 4. removing: 1.\n",
        out);

    assertEquals(0, run("--verify", "--reassignment-json-file", plan));
    assertEquals(
        "Status of partition reassignment:\n"
            + "Reassignment of partition t-0 is still in progress.\n"
            + "Reassignment of partition t-1 is still in progress.\n",
        out);
    assertEquals(
        "50000",
        broker
            .ops
            .config(ConfigResource.Type.BROKER, "1")
            .get("leader.replication.throttled.rate"));

    broker.ops.completeReassignments();
    assertEquals(0, run("--verify", "--reassignment-json-file", plan));
    assertEquals(
        "Status of partition reassignment:\n"
            + "Reassignment of partition t-0 is completed.\n"
            + "Reassignment of partition t-1 is completed.\n"
            + "Clearing broker-level throttles on brokers 1,2,3,4\n"
            + "Clearing topic-level throttles on topic t\n",
        out);
    broker.ops.configs.forEach((k, v) -> assertEquals(Map.of(), v, k + " keeps no throttle"));
    assertEquals(0, run("--list"));
    assertEquals("No partition reassignments found.\n", out);
  }

  @Test
  void aRefusedPlanPrintsTheControllersErrorsAndChangesNothing() throws Exception {
    String plan =
        file(
            "plan.json",
            "{\"version\":1,\"partitions\":["
                + "{\"topic\":\"t\",\"partition\":0,\"replicas\":[2,3,5]},"
                + "{\"topic\":\"t\",\"partition\":1,\"replicas\":[3,4,2]}]}");
    assertEquals(1, run("--execute", "--reassignment-json-file", plan, "--throttle", "1000"));
    assertEquals(
        "Error reassigning partition(s):\n"
            + "t-0: Broker 5 is not live (live brokers: 1,2,3,4)\n"
            + "t-1: not applied: other partitions of the plan were refused\n",
        err);
    assertTrue(broker.ops.moving.isEmpty());
    assertTrue(broker.ops.configs.isEmpty(), "no throttle left behind: " + broker.ops.configs);
    assertEquals(
        1,
        broker.requests.stream()
            .filter(r -> r instanceof AlterPartitionReassignmentsRequest)
            .count(),
        "only the validation was sent");
    assertEquals(
        0,
        broker.requests.stream().filter(r -> r instanceof IncrementalAlterConfigsRequest).count());

    String missing =
        file(
            "missing.json",
            "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":7,\"replicas\":[1]}]}");
    assertEquals(1, run("--execute", "--reassignment-json-file", missing));
    assertEquals("Error reassigning partition(s):\nt-7: Partition t-7 does not exist\n", err);
  }

  @Test
  void executeRefusesWhileAnotherReassignmentRunsUnlessAdditional() throws Exception {
    String plan =
        file(
            "plan.json",
            "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[2,3,4]}]}");
    assertEquals(0, run("--execute", "--reassignment-json-file", plan), err);
    String more =
        file(
            "more.json",
            "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":1,\"replicas\":[4,2,3]}]}");
    assertEquals(1, run("--execute", "--reassignment-json-file", more));
    assertTrue(
        err.startsWith("Error: Cannot execute because there is an existing partition assignment."),
        err);
    assertEquals(
        0,
        run("--execute", "--reassignment-json-file", more, "--additional", "--throttle", "7"),
        err);
    assertEquals(List.of(4, 2, 3), broker.ops.moving.get(T1));
    assertEquals(
        Map.of(
            "leader.replication.throttled.replicas", "1:2,1:3,1:1",
            "follower.replication.throttled.replicas", "1:4"),
        broker.ops.config(ConfigResource.Type.TOPIC, "t"));
  }

  @Test
  void cancelRestoresTheOriginalReplicasAndClearsTheThrottle() throws Exception {
    String plan = file("plan.json", MOVE_T);
    assertEquals(0, run("--execute", "--reassignment-json-file", plan, "--throttle", "100"), err);
    assertEquals(0, run("--cancel", "--reassignment-json-file", plan), err);
    assertEquals(
        "Successfully cancelled partition reassignments for: t-0,t-1\n"
            + "Clearing broker-level throttles on brokers 1,2,3,4\n"
            + "Clearing topic-level throttles on topic t\n",
        out);
    assertEquals(List.of(1, 2, 3), broker.ops.replicasOf(T0));
    assertEquals(List.of(2, 3, 1), broker.ops.replicasOf(T1));
    broker.ops.configs.forEach((k, v) -> assertEquals(Map.of(), v, k));
    assertEquals(0, run("--cancel", "--reassignment-json-file", plan, "--preserve-throttles"));
    assertEquals("None of the specified partition reassignments are active.\n", out);
  }

  @Test
  void verifyReportsAReplicaSetThatDiffersFromThePlan() throws Exception {
    String plan = file("plan.json", MOVE_T);
    assertEquals(0, run("--verify", "--reassignment-json-file", plan, "--preserve-throttles"));
    assertEquals(
        "Status of partition reassignment:\n"
            + "There is no active reassignment of partition t-0, but replica set is 1,2,3 rather"
            + " than 2,3,4.\n"
            + "There is no active reassignment of partition t-1, but replica set is 2,3,1 rather"
            + " than 3,4,2.\n",
        out);
  }
}
