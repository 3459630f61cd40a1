package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.admin.ConfigResource;
import io.brook.client.admin.FakeGroupBroker;
import io.brook.client.tools.ToolArgs.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** brook-configs.sh: --add-config syntax, option checks, describe / alter runs on the fake. */
class ConfigCommandTest {
  @TempDir Path dir;
  private FakeGroupBroker broker;
  private String out;
  private String err;

  @BeforeEach
  void setUp() throws Exception {
    broker = new FakeGroupBroker();
    broker.ops.brokers.putAll(Map.of(2, ""));
    broker.ops.topic("t", List.of(List.of(1, 2)));
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
        ConfigCommand.run(
            full,
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8),
            p -> broker.admin());
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return code;
  }

  @Test
  void addConfigSyntaxWithBracketedLists() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("retention.ms", "1000");
    expected.put("cleanup.policy", "compact,delete");
    expected.put("leader.replication.throttled.replicas", "0:1,1:2");
    assertEquals(
        expected,
        ConfigCommand.parseAddConfig(
            "retention.ms=1000,cleanup.policy=[compact,delete],"
                + " leader.replication.throttled.replicas = [0:1,1:2]"));
    assertEquals(Map.of("k", ""), ConfigCommand.parseAddConfig("k="));
    for (String bad : List.of("k", "=v", "a=1,,b=2", "a=1,b")) {
      assertThrows(UsageException.class, () -> ConfigCommand.parseAddConfig(bad), bad);
    }
  }

  @Test
  void optionCombinationsAreChecked() {
    String[][] cases = {
      {"--entity-type topics --entity-name t", "Command must include exactly one action"},
      {
        "--entity-type topics --entity-name t --describe --alter",
        "Command must include exactly one action"
      },
      {"--describe", "Missing required argument \"[entity-type]\""},
      {"--entity-type users --describe", "Invalid entity type users"},
      {
        "--entity-type topics --entity-default --describe",
        "--entity-default is only valid with --entity-type brokers"
      },
      {
        "--entity-type brokers --entity-name one --describe",
        "The entity name for brokers must be a valid integer broker id, but it is: one"
      },
      {
        "--entity-type brokers --entity-name 1 --entity-default --describe",
        "--entity-name and --entity-default cannot both be given"
      },
      {
        "--entity-type topics --alter --add-config a=1",
        "--entity-name or --entity-default must be specified with --alter"
      },
      {
        "--entity-type topics --entity-name t --alter",
        "At least one of --add-config, --add-config-file or --delete-config"
      },
      {
        "--entity-type topics --entity-name t --describe --add-config a=1",
        "--add-config, --add-config-file and --delete-config can only be used with --alter"
      },
      {
        "--entity-type topics --entity-name t --alter --add-config a=1 --delete-config a",
        "Config key(s) both added and deleted: a"
      },
      {
        "--entity-type topics --entity-name t --alter --add-config a=1 --all",
        "--all can only be used with --describe"
      },
      {"--entity-type brokers --topic t --describe", "Only one entity type may be specified"},
    };
    for (String[] c : cases) {
      assertEquals(1, run(c[0].split(" ")), c[0]);
      assertTrue(err.startsWith("Error: " + c[1]), c[0] + " -> " + err);
    }
    assertTrue(broker.ops.configs.isEmpty());
  }

  @Test
  void alterAndDescribeTopicConfigs() throws Exception {
    assertEquals(
        0,
        run(
            "--entity-type",
            "topics",
            "--entity-name",
            "t",
            "--alter",
            "--add-config",
            "retention.ms=1000,cleanup.policy=[compact,delete]"),
        err);
    assertEquals("Completed updating config for topic t.\n", out);
    assertEquals(
        Map.of("retention.ms", "1000", "cleanup.policy", "compact,delete"),
        broker.ops.config(ConfigResource.Type.TOPIC, "t"));

    assertEquals(0, run("--entity-type", "topics", "--entity-name", "t", "--describe"));
    assertEquals(
        "Dynamic configs for topic t are:\n"
            + "  cleanup.policy=compact,delete sensitive=false"
            + " synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete}\n"
            + "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n",
        out);

    assertEquals(0, run("--topic", "t", "--alter", "--delete-config", "cleanup.policy"), err);
    assertEquals(Map.of("retention.ms", "1000"), broker.ops.config(ConfigResource.Type.TOPIC, "t"));
    assertEquals(0, run("--entity-type", "topics", "--describe", "--all"));
    assertEquals(
        "All configs for topic t are:\n"
            + "  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:cleanup.policy=delete}\n"
            + "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n",
        out);

    Path f = dir.resolve("c.properties");
    Files.writeString(f, "segment.bytes=1048576\nmax.message.bytes=2000\n");
    assertEquals(0, run("--topic", "t", "--alter", "--add-config-file", f.toString()), err);
    assertEquals(
        Map.of("retention.ms", "1000", "segment.bytes", "1048576", "max.message.bytes", "2000"),
        broker.ops.config(ConfigResource.Type.TOPIC, "t"));
  }

  @Test
  void invalidChangesAreRefusedWithTheKeyAndChangeNothing() {
    assertEquals(
        1,
        run(
            "--entity-type",
            "topics",
            "--entity-name",
            "t",
            "--alter",
            "--add-config",
            "retention.ms=1000,retention.nope=5"));
    assertEquals("Error: Unknown topic config 'retention.nope'\n", err);
    assertEquals(
        1,
        run(
            "--entity-type",
            "brokers",
            "--entity-name",
            "2",
            "--alter",
            "--add-config",
            "log.retention.ms=soon"));
    assertEquals(
        "Error: Invalid value soon for configuration log.retention.ms: Not a number of type LONG\n",
        err);
    assertEquals(
        1,
        run(
            "--entity-type",
            "topics",
            "--entity-name",
            "nope",
            "--alter",
            "--add-config",
            "retention.ms=1"));
    assertEquals("Error: Topic nope does not exist\n", err);
    assertTrue(broker.ops.configs.isEmpty(), broker.ops.configs.toString());
  }

  @Test
  void brokerAndDefaultBrokerConfigs() {
    assertEquals(
        0,
        run(
            "--entity-type",
            "brokers",
            "--entity-default",
            "--alter",
            "--add-config",
            "log.retention.ms=5000"),
        err);
    assertEquals("Completed updating default config for brokers in the cluster.\n", out);
    assertEquals(
        0,
        run("--broker", "2", "--alter", "--add-config", "follower.replication.throttled.rate=100"),
        err);
    assertEquals("Completed updating config for broker 2.\n", out);
    assertEquals(
        Map.of("log.retention.ms", "5000"), broker.ops.config(ConfigResource.Type.BROKER, ""));

    assertEquals(0, run("--entity-type", "brokers", "--describe"), err);
    assertEquals(
        "Dynamic configs for broker 1 are:\n"
            + "Dynamic configs for broker 2 are:\n"
            + "  follower.replication.throttled.rate=100 sensitive=false"
            + " synonyms={DYNAMIC_BROKER_CONFIG:follower.replication.throttled.rate=100}\n"
            + "Default configs for brokers in the cluster are:\n"
            + "  log.retention.ms=5000 sensitive=false"
            + " synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=5000}\n",
        out);
  }
}
