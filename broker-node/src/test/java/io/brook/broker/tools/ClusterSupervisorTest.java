package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.testing.Wait;
import io.brook.common.Time;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link ClusterSupervisor} with real processes: the real ZooKeeper through the real
 * brook-zookeeper-server-start.sh (on the test classpath), and stand-in brokers (a shell loop per
 * broker, "registered" while it runs) so that pid files, restarts and stopping are exercised
 * without the broker's startup cost.
 */
class ClusterSupervisorTest {

  @TempDir Path tmp;
  private Path bin;
  private Path dir;
  private ByteArrayOutputStream progressBytes;
  private PrintStream progress;
  private ClusterLayout layout;

  @BeforeEach
  void setUp() throws IOException {
    bin = Files.createDirectories(tmp.resolve("bin"));
    dir = tmp.resolve("cluster");
    Path realScripts = Path.of(System.getProperty("user.dir")).resolve("../scripts").normalize();
    script(
        MemberLauncher.ZOOKEEPER_SCRIPT,
        "exec " + realScripts.resolve(MemberLauncher.ZOOKEEPER_SCRIPT) + " \"$@\"");
    brokerScript("trap 'exit 0' TERM; echo registered; while true; do sleep 0.2; done");
    progressBytes = new ByteArrayOutputStream();
    progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8);
    // Brokers take consecutive ports from the base: pick a base whose next port is free too.
    layout = ClusterLayout.plan(dir, 2, freePort(), freeConsecutivePorts(2), Map.of());
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (layout != null) {
      supervisor().stop(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }
  }

  @Test
  void startsRestartsOnlyWhatIsDownAndStops() throws Exception {
    String bootstrap = supervisor().start(Duration.ofSeconds(90));
    assertEquals(layout.bootstrapServers(), bootstrap);
    for (ClusterMember m : layout.members()) {
      assertTrue(PidFile.liveProcess(m.pidFile(), m.config().toString()).isPresent(), m.name());
    }
    assertTrue(supervisor().status().stream().allMatch(ClusterSupervisor.MemberStatus::running));

    long zkPid = PidFile.read(layout.zookeeper().pidFile()).getAsLong();
    long b1Pid = PidFile.read(layout.brokers().get(1).pidFile()).getAsLong();
    long b2Pid = PidFile.read(layout.brokers().get(2).pidFile()).getAsLong();
    ProcessHandle b2 = ProcessHandle.of(b2Pid).orElseThrow();
    b2.destroyForcibly();
    b2.onExit().get();
    List<ClusterSupervisor.MemberStatus> status = supervisor().status();
    assertFalse(status.get(2).running(), "broker-2 was killed: " + status);
    assertTrue(status.get(1).running());

    supervisor().start(Duration.ofSeconds(90));
    assertEquals(OptionalLong.of(zkPid), PidFile.read(layout.zookeeper().pidFile()));
    assertEquals(OptionalLong.of(b1Pid), PidFile.read(layout.brokers().get(1).pidFile()));
    long newB2 = PidFile.read(layout.brokers().get(2).pidFile()).getAsLong();
    assertNotEquals(b2Pid, newB2, "broker-2 restarted");
    String out = progressBytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("zookeeper is already running (pid " + zkPid + ")"), out);
    assertTrue(out.contains("started broker-2 (pid " + newB2), out);

    supervisor().stop(Duration.ofSeconds(10), Duration.ofSeconds(10));
    for (ClusterMember m : layout.members()) {
      assertFalse(Files.exists(m.pidFile()), m.name() + " pid file removed");
    }
    // stop() returns once the members have exited; an exited process may linger as a zombie
    // until its parent (or, for these detached members, init) reaps it.
    assertExited(zkPid);
    assertExited(newB2);
  }

  /** Waits (with a deadline) until {@code pid} is gone or a zombie (state Z in /proc). */
  private static void assertExited(long pid) throws Exception {
    Wait.until(
        "process " + pid + " exited",
        Duration.ofSeconds(30),
        () -> {
          if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return true;
          }
          try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          } catch (IOException e) {
            return true; // gone meanwhile
          }
        });
  }

  @Test
  void aMemberThatDiesIsNamedWithTheTailOfItsLog() throws Exception {
    // Only broker 1 fails (its config file is an argument), so which member is named is certain.
    brokerScript(
        "case \"$*\" in *broker-1.properties*) echo \"broker cannot start: no such thing\"; exit 3;;"
            + " esac; echo registered; while true; do sleep 0.2; done");
    ClusterSupervisor.MemberFailure f =
        assertThrows(
            ClusterSupervisor.MemberFailure.class,
            () -> supervisor().start(Duration.ofSeconds(90)));
    assertEquals("broker-1", f.member().name());
    assertTrue(f.getMessage().contains("exited with code 3"), f.getMessage());
    assertTrue(
        f.logTail().contains("broker cannot start: no such thing"), String.join("\n", f.logTail()));
  }

  @Test
  void aMemberThatIgnoresSigtermIsKilledAfterTheDeadline() throws Exception {
    brokerScript("trap '' TERM; echo registered; while true; do sleep 0.2; done");
    supervisor().start(Duration.ofSeconds(90));
    long b1 = PidFile.read(layout.brokers().get(1).pidFile()).getAsLong();
    supervisor().stop(Duration.ofSeconds(1), Duration.ofSeconds(10));
    assertFalse(ProcessHandle.of(b1).map(ProcessHandle::isAlive).orElse(false));
    String out = progressBytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("still runs after 1 s: killing it"), out);
  }

  @Test
  void aPortInUseIsReportedBeforeStarting() throws Exception {
    try (ServerSocket busy =
        new ServerSocket(
            layout.brokers().get(2).port(), 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      ClusterSupervisor.MemberFailure f =
          assertThrows(
              ClusterSupervisor.MemberFailure.class,
              () -> supervisor().start(Duration.ofSeconds(90)));
      assertEquals("broker-2", f.member().name());
      assertTrue(f.getMessage().contains("port " + busy.getLocalPort()), f.getMessage());
      assertTrue(f.getMessage().contains("already in use"), f.getMessage());
    }
  }

  private ClusterSupervisor supervisor() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("BROOK_CLASSPATH", System.getProperty("java.class.path"));
    env.put("BROOK_JVM_PERFORMANCE_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    MemberLauncher launcher = new MemberLauncher(bin, env, "", "-Xmx64m", Time.SYSTEM);
    return new ClusterSupervisor(layout, launcher, new ProcessProbe(layout), Time.SYSTEM, progress);
  }

  /**
   * "Registers" every broker whose pid file names a live process that has logged "registered";
   * ZooKeeper for real.
   */
  private record ProcessProbe(ClusterLayout layout) implements ClusterProbe {
    @Override
    public boolean zookeeperOk(int port) {
      return ZooKeeperFourLetterWords.ruok("127.0.0.1", port, 2000);
    }

    @Override
    public Set<Integer> registeredBrokers(int port) {
      return Set.of();
    }

    @Override
    public Optional<ClusterView> describe(String bootstrapServer) {
      Set<Integer> live = new TreeSet<>();
      for (ClusterMember b : layout.brokers().values()) {
        try {
          if (PidFile.liveProcess(b.pidFile(), b.config().toString()).isPresent()
              && Files.readString(b.logFile()).contains("registered")) {
            live.add(b.brokerId());
          }
        } catch (IOException e) {
          return Optional.empty();
        }
      }
      return Optional.of(new ClusterView(live, live.isEmpty() ? -1 : live.iterator().next()));
    }

    @Override
    public void close() {}
  }

  private void brokerScript(String body) throws IOException {
    script(MemberLauncher.BROKER_SCRIPT, body);
  }

  private void script(String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** An OS-chosen port p such that p .. p+n-1 could all be bound just now. */
  private static int freeConsecutivePorts(int n) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = freePort();
      if (base + n - 1 > 65535) {
        continue;
      }
      boolean allFree = true;
      for (int i = 1; i < n && allFree; i++) {
        try (ServerSocket s = new ServerSocket(base + i)) {
          // free
        } catch (IOException e) {
          allFree = false;
        }
      }
      if (allFree) {
        return base;
      }
    }
    throw new IOException("no " + n + " consecutive free ports found");
  }
}
