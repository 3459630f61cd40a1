package io.brook.systest.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.admin.NewTopic;
import io.brook.common.TopicPartition;
import io.brook.systest.harness.ClusterOptions;
import io.brook.systest.harness.Deadline;
import io.brook.systest.harness.ProcessCluster;
import io.brook.systest.harness.ScenarioDir;
import io.brook.systest.harness.ScriptResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Operating a real four-broker cluster (broker JVMs through the scripts, real ZooKeeper) with the
 * operator tools, as a Kafka operator would: {@code brook-reassign-partitions.sh} moves a topic
 * from brokers {1,2,3} to {2,3,4} under {@code acks=all} load with no acknowledged record lost and
 * the throttle gone at the end; a throttled reassignment is cancelled mid-way; a controller killed
 * during a reassignment is succeeded by one that finishes it; {@code brook-leader-election.sh}
 * restores preferred leadership after a broker restart; invalid plans and configs are refused with
 * nothing changed ({@code brook-configs.sh}).
 *
 * <p>One cluster serves every test (each its own topic); automatic leader rebalancing is off here
 * ({@link AutoLeaderRebalanceTest} covers it) so that leadership only moves when a test moves it.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReassignmentAndElectionTest {
  private static final Logger log = LogManager.getLogger(ReassignmentAndElectionTest.class);
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final Set<Integer> ALL = Set.of(1, 2, 3, 4);

  private ScenarioDir dir;
  private ProcessCluster cluster;
  private boolean passed = true;

  @RegisterExtension
  final TestWatcher failures =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          passed = false;
        }
      };

  @BeforeAll
  void startCluster() {
    dir = ScenarioDir.create("reassignment-and-election");
    cluster =
        ProcessCluster.start(
            dir.path(),
            ClusterOptions.defaults()
                .withBrokerCount(4)
                .withBrokerOverride("auto.leader.rebalance.enable", "false"));
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    if (dir != null) {
      dir.finish(passed);
    }
  }

  // ------------------------------------------------------------------ tests

  @Test
  void reassignUnderAcksAllLoadLosesNothingAndRemovesTheThrottle() throws Exception {
    String topic = "moving";
    createTopic(topic, rotations(4, List.of(1, 2, 3)));
    AckedLoad load = new AckedLoad(cluster.bootstrapServers(), topic, 4, "m");
    load.writeNow(4000); // about 4 MiB for the new replicas to copy
    load.startBackground();
    Deadline.await("the load is acknowledged", CONVERGE, () -> load.acknowledged() > 4000);

    // the decommission flow: generate a plan for the remaining brokers, execute, verify
    Path toMove =
        write("move-topics.json", "{\"version\":1,\"topics\":[{\"topic\":\"" + topic + "\"}]}");
    ScriptResult generated =
        reassign(
            "--generate",
            "--topics-to-move-json-file",
            toMove.toString(),
            "--broker-list",
            "2,3,4");
    assertEquals(0, generated.exitCode(), generated.toString());
    String proposed = proposedPlan(generated.stdout());
    Map<Integer, List<Integer>> target = partitionsOf(proposed, topic);
    assertEquals(Set.of(0, 1, 2, 3), target.keySet(), proposed);
    target.forEach(
        (p, rs) -> {
          assertEquals(3, new TreeSet<>(rs).size(), "three distinct replicas for " + p + ": " + rs);
          assertTrue(Set.of(2, 3, 4).containsAll(rs), "only brokers 2,3,4 for " + p + ": " + rs);
        });
    Path plan = write("move-plan.json", proposed);

    long start = System.nanoTime();
    ScriptResult executed =
        reassign(
            "--execute", "--reassignment-json-file", plan.toString(), "--throttle", "50000000");
    assertEquals(0, executed.exitCode(), executed.toString());
    assertTrue(
        executed.stdout().contains("Successfully started partition reassignment"),
        executed.toString());

    AtomicVerify verify = new AtomicVerify();
    Deadline.await(
        "every partition of " + topic + " reassigned (--verify)",
        Duration.ofSeconds(180),
        () ->
            verify.completed(reassign("--verify", "--reassignment-json-file", plan.toString()), 4),
        verify::last);
    log.info(
        "reassignment of {} (4 partitions, ~4 MiB each way) took {} ms under acks=all load",
        topic,
        (System.nanoTime() - start) / 1_000_000);
    assertTrue(verify.last().contains("Clearing broker-level throttles"), verify.last());
    assertTrue(
        verify.last().contains("Clearing topic-level throttles on topic " + topic), verify.last());

    load.close();
    assertEquals(List.of(), load.lostAcknowledged(), "acknowledged records lost");
    assertTrue(load.acknowledged() > 4000, "acknowledged " + load.acknowledged());
    log.info(
        "moving: {} records acknowledged, {} sends failed (not acknowledged, not checked)",
        load.acknowledged(),
        load.failedSends());

    for (int p = 0; p < 4; p++) {
      TopicPartition tp = new TopicPartition(topic, p);
      assertEquals(target.get(p), cluster.replicasOf(tp), "replicas of " + tp);
    }
    cluster.awaitHealthy(List.of(topic), CONVERGE);
    assertNoReassignments();
    assertNoThrottle(topic);
    awaitNoLogDirs(1, topic);
  }

  @Test
  void cancelMidWayRestoresTheOriginalReplicas() throws Exception {
    String topic = "cancelled";
    Map<Integer, List<Integer>> original = Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1));
    createTopic(topic, original);
    AckedLoad load = new AckedLoad(cluster.bootstrapServers(), topic, 2, "c");
    load.writeNow(4000); // 2 MiB per partition: at 10 kB/s the copy cannot finish in this test
    Path plan =
        write("cancel-plan.json", plan(topic, Map.of(0, List.of(1, 2, 4), 1, List.of(2, 4, 1))));
    ScriptResult executed =
        reassign("--execute", "--reassignment-json-file", plan.toString(), "--throttle", "10000");
    assertEquals(0, executed.exitCode(), executed.toString());
    Deadline.await(
        "both partitions listed as moving to broker 4",
        CONVERGE,
        () -> {
          String list = reassign("--list").stdout();
          return list.contains(topic + "-0: ")
              && list.contains(topic + "-1: ")
              && list.contains("adding: 4");
        });
    assertEquals(List.of(1, 2, 3, 4), sorted(cluster.replicasOf(new TopicPartition(topic, 0))));

    ScriptResult cancelled = reassign("--cancel", "--reassignment-json-file", plan.toString());
    assertEquals(0, cancelled.exitCode(), cancelled.toString());
    assertTrue(
        cancelled.stdout().contains("Successfully cancelled partition reassignments for: "),
        cancelled.toString());
    // the original replicas, not necessarily in their original order (as in Kafka: the cancelled
    // set is the current replicas without the adding ones)
    Deadline.await(
        "the original replicas are back",
        CONVERGE,
        () ->
            original.entrySet().stream()
                .allMatch(
                    e ->
                        sorted(e.getValue())
                            .equals(
                                sorted(cluster.replicasOf(new TopicPartition(topic, e.getKey()))))),
        () ->
            cluster.replicasOf(new TopicPartition(topic, 0))
                + " "
                + cluster.replicasOf(new TopicPartition(topic, 1)));
    cluster.awaitHealthy(List.of(topic), CONVERGE);
    assertNoReassignments();
    assertNoThrottle(topic);
    awaitNoLogDirs(4, topic);
    assertEquals(List.of(), load.lostAcknowledged(), "acknowledged records lost");
  }

  @Test
  void aNewControllerFinishesAReassignmentItsPredecessorStarted() throws Exception {
    String topic = "failover";
    createTopic(topic, Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1)));
    AckedLoad load = new AckedLoad(cluster.bootstrapServers(), topic, 2, "f");
    load.writeNow(2000);
    Map<Integer, List<Integer>> target = Map.of(0, List.of(4, 2, 3), 1, List.of(2, 3, 4));
    Path plan = write("failover-plan.json", plan(topic, target));
    // throttled to 10 kB/s, so it is still in progress when the controller dies
    ScriptResult executed =
        reassign("--execute", "--reassignment-json-file", plan.toString(), "--throttle", "10000");
    assertEquals(0, executed.exitCode(), executed.toString());
    Deadline.await(
        "the reassignment is in progress",
        CONVERGE,
        () -> reassign("--list").stdout().contains(topic + "-0: "));

    int controller = cluster.controllerId();
    assertNotEquals(-1, controller);
    cluster.kill9(controller);
    Deadline.await(
        "another broker becomes controller",
        CONVERGE,
        () -> {
          int c = cluster.controllerId();
          return c != -1 && c != controller;
        });
    cluster.start(controller);
    Deadline.await(
        "broker " + controller + " registered again",
        CONVERGE,
        () -> cluster.isRegistered(controller));
    assertTrue(
        reassign("--list").stdout().contains(topic + "-0: "),
        "the new controller still knows the reassignment");

    // lift the throttle: the new controller completes what the old one started
    for (int b : ALL) {
      ScriptResult d = configs("--entity-type", "brokers", "--entity-name", "" + b, "--describe");
      List<String> rates = new ArrayList<>();
      for (String key :
          List.of("leader.replication.throttled.rate", "follower.replication.throttled.rate")) {
        if (d.stdout().contains(key + "=")) {
          rates.add(key);
        }
      }
      if (!rates.isEmpty()) {
        ScriptResult r =
            configs(
                "--entity-type",
                "brokers",
                "--entity-name",
                "" + b,
                "--alter",
                "--delete-config",
                String.join(",", rates));
        assertEquals(0, r.exitCode(), r.toString());
      }
    }
    Deadline.await(
        "the reassignment completes under the new controller",
        Duration.ofSeconds(120),
        () ->
            target.entrySet().stream()
                .allMatch(
                    e ->
                        e.getValue()
                            .equals(cluster.replicasOf(new TopicPartition(topic, e.getKey())))),
        () -> reassign("--list").stdout());
    cluster.awaitHealthy(List.of(topic), CONVERGE);
    assertNoReassignments();
    assertNoThrottle(topic);
    assertEquals(List.of(), load.lostAcknowledged(), "acknowledged records lost");
  }

  @Test
  void preferredElectionRestoresLeadershipAfterARestart() throws Exception {
    String topic = "preferred";
    Map<Integer, List<Integer>> assignment = rotations(6, List.of(1, 2, 3));
    createTopic(topic, assignment);
    cluster.stop(1); // SIGTERM: controlled shutdown moves broker 1's leaderships away
    cluster.start(1);
    cluster.awaitHealthy(List.of(topic), CONVERGE);
    List<Integer> notPreferred = notLedByPreferred(topic, assignment);
    assertFalse(notPreferred.isEmpty(), "broker 1 leads nothing after its restart");

    ScriptResult elected =
        cluster.runScript(
            "brook-leader-election.sh",
            "--bootstrap-server",
            cluster.bootstrapServers(),
            "--election-type",
            "preferred",
            "--all-topic-partitions");
    assertEquals(0, elected.exitCode(), elected.toString());
    assertTrue(
        elected
            .stdout()
            .contains("Successfully completed leader election (PREFERRED) for partitions"),
        elected.toString());
    for (int p : notPreferred) {
      assertTrue(elected.stdout().contains(topic + "-" + p), elected.toString());
    }
    Deadline.await(
        "every partition of " + topic + " led by its preferred replica",
        CONVERGE,
        () -> notLedByPreferred(topic, assignment).isEmpty(),
        () -> "not preferred: " + notLedByPreferred(topic, assignment));

    ScriptResult again =
        cluster.runScript(
            "brook-leader-election.sh",
            "--bootstrap-server",
            cluster.bootstrapServers(),
            "--election-type",
            "preferred",
            "--topic",
            topic,
            "--partition",
            "0");
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(
        again.stdout().contains("Valid replica already elected for partitions " + topic + "-0"),
        again.toString());
  }

  @Test
  void invalidPlansAndConfigsAreRefusedWithNothingChanged() throws Exception {
    String topic = "guarded";
    Map<Integer, List<Integer>> original = Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1));
    createTopic(topic, original);

    refusedPlan("an unknown broker", Map.of(0, List.of(1, 2, 9)), "9");
    refusedPlan("a duplicate replica", Map.of(0, List.of(1, 1, 2)), "duplicate");
    refusedPlan("a missing partition", Map.of(5, List.of(1, 2, 3)), topic + "-5", "partition 5");
    // one valid and one invalid partition: the valid one does not move either
    refusedPlan("half a valid plan", Map.of(0, List.of(2, 3, 4), 1, List.of(2, 3, 9)), "9");
    cluster.stop(4);
    try {
      refusedPlan("a dead broker", Map.of(0, List.of(1, 2, 4)), "4");
    } finally {
      cluster.start(4);
      Deadline.await("broker 4 registered again", CONVERGE, () -> cluster.isRegistered(4));
    }
    original.forEach(
        (p, rs) ->
            assertEquals(rs, cluster.replicasOf(new TopicPartition(topic, p)), "replicas of " + p));
    assertNoReassignments();

    String before = dynamicTopicConfigs(topic);
    refusedConfig("a bad value", "topics", topic, "retention.ms=soon", "retention.ms");
    refusedConfig("an unknown key", "topics", topic, "no.such.config=1", "no.such.config");
    refusedConfig(
        "a valid and an unknown key",
        "topics",
        topic,
        "retention.ms=1000,bogus.key=1",
        "bogus.key");
    refusedConfig("a static broker config", "brokers", "1", "broker.id=7", "broker.id");
    refusedConfig(
        "an unknown broker config",
        "brokers",
        "1",
        "no.such.broker.config=1",
        "no.such.broker.config");
    assertEquals(before, dynamicTopicConfigs(topic), "topic configs changed by refused alters");

    ScriptResult ok =
        configs(
            "--entity-type",
            "topics",
            "--entity-name",
            topic,
            "--alter",
            "--add-config",
            "retention.ms=3600000");
    assertEquals(0, ok.exitCode(), ok.toString());
    assertTrue(ok.stdout().contains("Completed updating config for topic " + topic), ok.toString());
    assertTrue(
        dynamicTopicConfigs(topic).contains("retention.ms=3600000"), dynamicTopicConfigs(topic));
  }

  // ------------------------------------------------------------------ helpers

  /** The plan is refused (exit code not 0) with a message mentioning one of {@code mentioned}. */
  private void refusedPlan(String what, Map<Integer, List<Integer>> partitions, String... mentioned)
      throws IOException {
    Path plan = write("refused-" + what.replace(' ', '-') + ".json", plan("guarded", partitions));
    ScriptResult r = reassign("--execute", "--reassignment-json-file", plan.toString());
    assertNotEquals(0, r.exitCode(), what + " accepted: " + r);
    String out = (r.stdout() + r.stderr()).toLowerCase(Locale.ROOT);
    assertTrue(
        Stream.of(mentioned).anyMatch(m -> out.contains(m.toLowerCase(Locale.ROOT))),
        what + ": " + r);
  }

  private void refusedConfig(
      String what, String type, String name, String config, String mentioned) {
    ScriptResult r =
        configs("--entity-type", type, "--entity-name", name, "--alter", "--add-config", config);
    assertNotEquals(0, r.exitCode(), what + " accepted: " + r);
    assertTrue((r.stdout() + r.stderr()).contains(mentioned), what + ": " + r);
  }

  private String dynamicTopicConfigs(String topic) {
    ScriptResult r = configs("--entity-type", "topics", "--entity-name", topic, "--describe");
    assertEquals(0, r.exitCode(), r.toString());
    return r.stdout()
        .lines()
        .filter(l -> l.startsWith("  "))
        .sorted()
        .collect(Collectors.joining("\n"));
  }

  private void assertNoReassignments() {
    Deadline.await(
        "no reassignment listed",
        CONVERGE,
        () -> reassign("--list").stdout().contains("No partition reassignments found."));
  }

  /** Neither the topic nor any broker keeps a replication throttle. */
  private void assertNoThrottle(String topic) {
    Deadline.await(
        "no replication throttle left on " + topic + " or any broker",
        CONVERGE,
        () ->
            Stream.concat(
                    Stream.of(
                        configs("--entity-type", "topics", "--entity-name", topic, "--describe")),
                    ALL.stream()
                        .map(
                            b ->
                                configs(
                                    "--entity-type",
                                    "brokers",
                                    "--entity-name",
                                    "" + b,
                                    "--describe")))
                .noneMatch(r -> r.exitCode() != 0 || r.stdout().contains("replication.throttled")));
  }

  private void awaitNoLogDirs(int brokerId, String topic) {
    Deadline.await(
        "broker " + brokerId + " deleted its replicas of " + topic,
        CONVERGE,
        () -> logDirsOf(brokerId, topic).isEmpty(),
        () -> logDirsOf(brokerId, topic).toString());
  }

  private List<String> logDirsOf(int brokerId, String topic) {
    Path logDir = cluster.logDir(brokerId);
    try (Stream<Path> s = Files.list(logDir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.matches(Pattern.quote(topic) + "-\\d+(\\..*)?"))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<Integer> notLedByPreferred(String topic, Map<Integer, List<Integer>> assignment) {
    return assignment.keySet().stream()
        .filter(p -> cluster.leaderOf(new TopicPartition(topic, p)) != assignment.get(p).get(0))
        .sorted()
        .collect(Collectors.toList());
  }

  private void createTopic(String topic, Map<Integer, List<Integer>> assignment) throws Exception {
    cluster
        .admin()
        .createTopics(
            List.of(new NewTopic(topic, assignment).configs(Map.of("min.insync.replicas", "2"))))
        .all()
        .get(30, TimeUnit.SECONDS);
    cluster.awaitHealthy(List.of(topic), CONVERGE);
  }

  /** Partition p -> brokers rotated by p (preferred leaders spread over the brokers). */
  private static Map<Integer, List<Integer>> rotations(int partitions, List<Integer> brokers) {
    Map<Integer, List<Integer>> m = new TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      List<Integer> rs = new ArrayList<>();
      for (int i = 0; i < brokers.size(); i++) {
        rs.add(brokers.get((p + i) % brokers.size()));
      }
      m.put(p, rs);
    }
    return m;
  }

  private static List<Integer> sorted(List<Integer> l) {
    return l.stream().sorted().collect(Collectors.toList());
  }

  /** Kafka's reassignment JSON. */
  private static String plan(String topic, Map<Integer, List<Integer>> partitions) {
    return "{\"version\":1,\"partitions\":["
        + new TreeMap<>(partitions)
            .entrySet().stream()
                .map(
                    e ->
                        "{\"topic\":\""
                            + topic
                            + "\",\"partition\":"
                            + e.getKey()
                            + ",\"replicas\":["
                            + e.getValue().stream()
                                .map(String::valueOf)
                                .collect(Collectors.joining(","))
                            + "]}")
                .collect(Collectors.joining(","))
        + "]}";
  }

  /** The JSON after "Proposed partition reassignment configuration" in --generate's output. */
  private static String proposedPlan(String stdout) {
    int at = stdout.indexOf("Proposed partition reassignment configuration");
    assertTrue(at >= 0, stdout);
    return stdout
        .substring(at)
        .lines()
        .filter(l -> l.trim().startsWith("{"))
        .findFirst()
        .orElseThrow()
        .trim();
  }

  private static final Pattern ENTRY =
      Pattern.compile(
          "\\{[^{}]*\"topic\"\\s*:\\s*\"([^\"]+)\"[^{}]*\"partition\"\\s*:\\s*(\\d+)[^{}]*\"replicas\"\\s*:\\s*\\[([\\d,\\s]*)\\][^{}]*\\}");

  /** Partition -> replicas of {@code topic} in a reassignment JSON (fields in Kafka's order). */
  private static Map<Integer, List<Integer>> partitionsOf(String json, String topic) {
    Map<Integer, List<Integer>> out = new TreeMap<>();
    Matcher m = ENTRY.matcher(json);
    while (m.find()) {
      if (m.group(1).equals(topic)) {
        out.put(
            Integer.parseInt(m.group(2)),
            Stream.of(m.group(3).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(Integer::parseInt)
                .collect(Collectors.toList()));
      }
    }
    return out;
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.path().resolve(name), content);
  }

  private ScriptResult reassign(String... args) {
    return tool("brook-reassign-partitions.sh", args);
  }

  private ScriptResult configs(String... args) {
    return tool("brook-configs.sh", args);
  }

  private ScriptResult tool(String script, String... args) {
    List<String> all = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers()));
    all.addAll(List.of(args));
    return cluster.runScript(script, all.toArray(String[]::new));
  }

  /** The last --verify output, and whether it reports every partition completed. */
  private static final class AtomicVerify {
    private volatile String last = "(no --verify yet)";

    boolean completed(ScriptResult r, int partitions) {
      last = r.toString();
      long done = r.stdout().lines().filter(l -> l.endsWith(" is completed.")).count();
      return r.exitCode() == 0 && done == partitions && !r.stdout().contains("still in progress");
    }

    String last() {
      return last;
    }
  }
}
