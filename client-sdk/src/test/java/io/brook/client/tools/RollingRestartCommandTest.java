package io.brook.client.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * brook-rolling-restart.sh without a cluster: its flags, refusals before anything runs, and the
 * script-backed preferred election. The restarts themselves run against real brokers in the system
 * test LocalEnsembleTest.
 */
class RollingRestartCommandTest {
  @TempDir Path dir;

  private final AtomicInteger elections = new AtomicInteger();
  private final RollingRestartCommand.PreferredElection countingElection =
      (bootstrap, out) -> {
        elections.incrementAndGet();
        return true;
      };

  private int run(ByteArrayOutputStream out, String... args) {
    return RollingRestartCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        countingElection,
        System::nanoTime);
  }

  @Test
  void restartCommandWithoutIdPlaceholderIsRefused() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(
        1, run(out, "--bootstrap-server", "127.0.0.1:1", "--restart-command", "systemctl restart"));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
    assertEquals(0, elections.get());
  }

  @Test
  void missingFlagsAreRefused() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(1, run(out, "--restart-command", "restart {id}"));
    assertEquals(1, run(out, "--bootstrap-server", "127.0.0.1:1"));
    assertEquals(1, run(out, "--bootstrap-server", "127.0.0.1:1", "--unknown"));
  }

  @Test
  void brokerListIsParsed() {
    assertEquals(List.of(3, 1, 2), RollingRestartCommand.parseIds("3, 1,2,"));
    assertThrows(ToolArgs.UsageException.class, () -> RollingRestartCommand.parseIds("1,x"));
    assertThrows(ToolArgs.UsageException.class, () -> RollingRestartCommand.parseIds(" , "));
  }

  @Test
  void helpPrintsUsage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run(out, "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--restart-command"));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void unreachableClusterFailsWithoutRunningTheCommand() throws IOException {
    String bootstrap;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      bootstrap = "127.0.0.1:" + s.getLocalPort();
    }
    Path marker = dir.resolve("ran");
    Path config = dir.resolve("admin.properties");
    Files.writeString(config, "default.api.timeout.ms=1500\nrequest.timeout.ms=1000\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        run(
            out,
            "--bootstrap-server",
            bootstrap,
            "--command-config",
            config.toString(),
            "--timeout-ms",
            "2000",
            "--restart-command",
            "touch " + marker + "-{id}");
    assertEquals(1, exit);
    assertFalse(Files.exists(dir.resolve("ran-1")));
    assertEquals(0, elections.get());
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void scriptElectionIsSkippedWithoutTheScriptAndRunsItWhenPresent() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertFalse(new RollingRestartCommand.ScriptElection(null).electPreferredLeaders("b:1", ps));
    assertFalse(new RollingRestartCommand.ScriptElection(dir).electPreferredLeaders("b:1", ps));

    Path script = dir.resolve("brook-leader-election.sh");
    Files.writeString(script, "#!/bin/sh\necho \"election args: $*\"\n");
    assertTrue(script.toFile().setExecutable(true));
    assertTrue(new RollingRestartCommand.ScriptElection(dir).electPreferredLeaders("b:1", ps));
    assertTrue(
        out.toString(StandardCharsets.UTF_8)
            .contains(
                "election args: --bootstrap-server b:1 --election-type preferred"
                    + " --all-topic-partitions"),
        out.toString(StandardCharsets.UTF_8));
  }
}
