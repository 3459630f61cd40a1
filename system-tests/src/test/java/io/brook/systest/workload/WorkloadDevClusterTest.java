package io.brook.systest.workload;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AdminClientConfig;
import io.brook.systest.check.AckMode;
import io.brook.systest.check.CheckReport;
import io.brook.systest.check.FinalRead;
import io.brook.systest.check.ReplicaLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The whole workload against a running cluster without faults: every count must be zero. Runs only
 * when pointed at a cluster (e.g. one from {@code scripts/brook-dev-cluster.sh}):
 *
 * <pre>
 * mvn -B -o verify -pl system-tests -am -Dtest=WorkloadDevClusterTest \
 *   -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dsurefire.argLine="-Xmx512m -Dbrook.systest.bootstrap=127.0.0.1:39092 \
 *     -Dbrook.systest.logDirs=1=/tmp/dc/broker-1,2=/tmp/dc/broker-2,3=/tmp/dc/broker-3 \
 *     -Dbrook.systest.dumpScript=scripts/brook-dump-log.sh -Dbrook.systest.outDir=/tmp/dc/out"
 * </pre>
 *
 * <p>{@code logDirs} and {@code dumpScript} are optional (without them the replicas are not
 * compared); {@code outDir} receives the histories and final reads. For manual fault experiments,
 * {@code brook.systest.faultCommand} and {@code brook.systest.healCommand} are shell commands run
 * halfway through and at the end of the run (e.g. {@code kill -9 $(cat /tmp/dc/broker-2.pid)} and
 * {@code scripts/brook-dev-cluster.sh start ...}); with a fault injected, assert only what the
 * fault allows.
 */
@Tag("system")
@EnabledIfSystemProperty(named = "brook.systest.bootstrap", matches = ".+")
class WorkloadDevClusterTest {
  private static final Logger LOG = LogManager.getLogger(WorkloadDevClusterTest.class);

  /** Keeps checking progress for {@code millis}. */
  private static void runFor(Workload workload, long millis) {
    long until = System.nanoTime() + Duration.ofMillis(millis).toNanos();
    while (System.nanoTime() < until) {
      workload.awaitProgress(Duration.ofSeconds(30));
    }
  }

  /** Runs a shell command (a manual fault experiment) and waits for it, with a deadline. */
  private static void runCommand(String command) throws Exception {
    if (command == null || command.isBlank()) {
      return;
    }
    LOG.info("running {}", command);
    Process p = new ProcessBuilder("bash", "-c", command).inheritIO().start();
    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("command did not finish within 120 s: " + command);
    }
    LOG.info("command exited with {}", p.exitValue());
  }

  @Test
  void noFaultsNoAnomalies() throws Exception {
    String bootstrap = System.getProperty("brook.systest.bootstrap");
    Path out =
        Path.of(
            System.getProperty(
                "brook.systest.outDir", Files.createTempDirectory("workload-").toString()));
    WorkloadOptions options =
        WorkloadOptions.defaults()
            .withRecordsPerSecondPerTopic(Integer.getInteger("brook.systest.rate", 100))
            .withTopicPrefix("wl" + Long.toString(System.nanoTime() % 1_000_000, 36) + "-");
    long runMillis = Long.getLong("brook.systest.runMillis", 10_000L);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        Workload workload = Workload.start(bootstrap, admin, options)) {
      try {
        workload.awaitProgress(Duration.ofSeconds(30));
        workload.pauseProducers();
        workload.resumeProducers();
        runFor(workload, runMillis / 2);
        runCommand(System.getProperty("brook.systest.faultCommand"));
        runFor(workload, runMillis / 2);
        runCommand(System.getProperty("brook.systest.healCommand"));
        workload.awaitProgress(Duration.ofSeconds(30));
        workload.stop(Duration.ofSeconds(60));
        Map<String, Map<Integer, FinalRead>> finalReads =
            workload.finalRead(Duration.ofSeconds(60));
        List<ReplicaLog> replicas = List.of();
        String logDirs = System.getProperty("brook.systest.logDirs");
        String script = System.getProperty("brook.systest.dumpScript");
        if (logDirs != null && script != null) {
          Map<Integer, Path> dirs = new TreeMap<>();
          for (String kv : logDirs.split(",")) {
            String[] p = kv.split("=", 2);
            dirs.put(Integer.parseInt(p[0].trim()), Path.of(p[1].trim()));
          }
          replicas =
              workload.replicaDump(
                  dirs, new ScriptLogDumper(Path.of(script), Duration.ofSeconds(120)));
        }
        CheckReport report = workload.check(finalReads, replicas);
        LOG.info("check of {} replicas:\n{}", replicas.size(), report);
        for (String topic : workload.topics().values()) {
          assertTrue(report.acknowledged(topic) > 0, "nothing acknowledged on " + topic);
        }
        report.assertSafe();
        boolean faulty = System.getProperty("brook.systest.faultCommand") != null;
        for (var e : workload.topics().entrySet()) {
          if (e.getKey() != AckMode.ZERO && !faulty) {
            // Without faults even acks=1 must neither lose nor duplicate.
            assertTrue(report.lostCount(e.getValue()) == 0, report::toString);
            assertTrue(report.duplicatesCount(e.getValue()) == 0, report::toString);
          }
        }
      } finally {
        workload.saveHistories(out);
        LOG.info("histories in {}", out);
      }
    }
  }
}
