package io.brook.systest;

import io.brook.common.TopicPartition;
import io.brook.systest.check.AckMode;
import io.brook.systest.check.CheckReport;
import io.brook.systest.check.FinalRead;
import io.brook.systest.check.History;
import io.brook.systest.check.ReplicaLog;
import io.brook.systest.harness.ClusterOptions;
import io.brook.systest.harness.Deadline;
import io.brook.systest.harness.ProcessCluster;
import io.brook.systest.harness.ScenarioDir;
import io.brook.systest.workload.ScriptLogDumper;
import io.brook.systest.workload.Workload;
import io.brook.systest.workload.WorkloadOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One fault-injection scenario from start to verdict: a fresh cluster of ZooKeeper and three broker
 * JVMs ({@link ProcessCluster}) in its own {@link ScenarioDir}; the {@link Workload} on three
 * topics (acks=all idempotent with min.insync.replicas=2, acks=1, acks=0) running throughout; the
 * fault, injected by the scenario's body; then healing, the liveness checks, and the safety check
 * of everything read back through the leaders and from every replica's own files.
 *
 * <p>The sequence, each step with a deadline:
 *
 * <ol>
 *   <li>start the cluster and the workload; wait until every client made progress;
 *   <li>run the {@link Fault} (it injects the fault and waits for its effect);
 *   <li>heal: resume paused brokers, restart stopped ones, remove network cuts (a fault that stops
 *       ZooKeeper starts it again itself);
 *   <li>liveness: a leader for every partition and a full ISR within {@link #HEAL_TIMEOUT}, then
 *       every producer acknowledged and every consumer read new records within {@link
 *       #PROGRESS_TIMEOUT};
 *   <li>stop the workload (consumers catch up to the high watermark), read every partition back
 *       from offset 0 through its leader, dump every replica's segment files with {@code
 *       brook-dump-log.sh}, and judge with the checker.
 * </ol>
 *
 * <p>The report is printed and appended to {@code target/system-tests/summary.txt}. A scenario that
 * fails (an exception anywhere, or a verdict other than the expected) keeps its directory: broker
 * and ZooKeeper output, data directories, the histories and the final read, and prints where.
 *
 * <p>Used by one test thread.
 */
final class FaultScenario {
  private static final Logger LOG = LogManager.getLogger(FaultScenario.class);

  static final Duration HEAL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(30);
  static final Duration WARMUP_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DUMP_TIMEOUT = Duration.ofSeconds(120);

  /** What a scenario does between warm-up and healing. */
  @FunctionalInterface
  interface Fault {
    void inject(Context context) throws Exception;
  }

  /** What the verdict must be. */
  enum Expect {
    /** The checker finds no violation (the normal case). */
    SAFE,
    /** The checker finds acknowledged acks=all records lost (negative controls). */
    LOSS_DETECTED
  }

  /** What a fault sees: the cluster, the workload, and waits on the cluster's state. */
  static final class Context {
    final ProcessCluster cluster;
    final Workload workload;

    Context(ProcessCluster cluster, Workload workload) {
      this.cluster = cluster;
      this.workload = workload;
    }

    /** The acks=all topic's partition {@code p}. */
    TopicPartition acksAll(int p) {
      return partition(AckMode.ALL, p);
    }

    /** Partition {@code p} of the topic produced with {@code acks}. */
    TopicPartition partition(AckMode acks, int p) {
      return new TopicPartition(workload.topics().get(acks), p);
    }

    /** An acks=all partition whose leader is not {@code brokerId}. */
    TopicPartition partitionNotLedBy(int brokerId) {
      for (int p = 0; p < 3; p++) {
        int leader = cluster.leaderOf(acksAll(p));
        if (leader > 0 && leader != brokerId) {
          return acksAll(p);
        }
      }
      throw new AssertionError("broker " + brokerId + " leads every acks-all partition");
    }

    List<String> topics() {
      return List.copyOf(workload.topics().values());
    }

    /** A broker that is not the active controller and leads at least one acks=all partition. */
    int leaderNotController() {
      return leaderNotController(-1);
    }

    /**
     * A broker that is not the active controller and leads at least one acks=all partition,
     * preferring one other than {@code avoid} (so that repeated rounds hit different brokers).
     */
    int leaderNotController(int avoid) {
      int controller = cluster.controllerId();
      int fallback = -1;
      for (int p = 0; p < 3; p++) {
        int leader = cluster.leaderOf(acksAll(p));
        if (leader > 0 && leader != controller) {
          if (leader != avoid) {
            return leader;
          }
          fallback = leader;
        }
      }
      if (fallback > 0) {
        return fallback;
      }
      throw new AssertionError("every acks-all partition is led by the controller " + controller);
    }

    /** An acks=all partition led by {@code brokerId}. */
    TopicPartition partitionLedBy(int brokerId) {
      for (int p = 0; p < 3; p++) {
        if (cluster.leaderOf(acksAll(p)) == brokerId) {
          return acksAll(p);
        }
      }
      throw new AssertionError("broker " + brokerId + " leads no acks-all partition");
    }

    /** Waits until the controller has elected a leader for {@code tp} other than {@code old}. */
    int awaitNewLeader(TopicPartition tp, int old, Duration timeout) {
      Deadline.await(
          "a leader of " + tp + " other than broker " + old,
          timeout,
          () -> {
            int l = cluster.leaderOf(tp);
            return l > 0 && l != old;
          },
          () -> "leader " + cluster.leaderOf(tp) + ", isr " + cluster.isrOf(tp));
      return cluster.leaderOf(tp);
    }

    /** Waits until no acks=all partition is led by {@code brokerId}. */
    void awaitLeadsNothing(int brokerId, Duration timeout) {
      Deadline.await(
          "no acks-all partition led by broker " + brokerId,
          timeout,
          () -> {
            for (int p = 0; p < 3; p++) {
              if (cluster.leaderOf(acksAll(p)) == brokerId) {
                return false;
              }
            }
            return true;
          },
          this::acksAllState);
    }

    /** Waits until a controller other than {@code old} is active. */
    int awaitNewController(int old, Duration timeout) {
      Deadline.await(
          "a controller other than broker " + old,
          timeout,
          () -> {
            int c = cluster.controllerId();
            return c > 0 && c != old;
          },
          () -> "controller " + cluster.controllerId());
      return cluster.controllerId();
    }

    /** Waits until {@code brokerId} is out of the ISR of {@code tp}. */
    void awaitOutOfIsr(TopicPartition tp, int brokerId, Duration timeout) {
      Deadline.await(
          "broker " + brokerId + " out of the ISR of " + tp,
          timeout,
          () -> !cluster.isrOf(tp).contains(brokerId),
          () -> "leader " + cluster.leaderOf(tp) + ", isr " + cluster.isrOf(tp));
    }

    /** Waits until {@code records} more sends to {@code tp} are acknowledged, counted from now. */
    void awaitAcknowledged(TopicPartition tp, int records, Duration timeout) {
      long before = acknowledged(tp);
      Deadline.await(
          records + " more acknowledged records in " + tp,
          timeout,
          () -> acknowledged(tp) >= before + records,
          () -> acknowledged(tp) - before + " so far; " + workload.clientStates());
    }

    private long acknowledged(TopicPartition tp) {
      return workload.history(tp.topic()).events().stream()
          .filter(e -> e instanceof History.SendOk ok && ok.partition() == tp.partition())
          .count();
    }

    /** Waits until every workload partition is healthy (leader on a live broker, full ISR). */
    void awaitHealthy(Duration timeout) {
      cluster.awaitHealthy(topics(), timeout);
    }

    /** Waits until every client made progress. */
    void awaitProgress(Duration timeout) {
      workload.awaitProgress(timeout);
    }

    String acksAllState() {
      StringBuilder sb = new StringBuilder();
      for (int p = 0; p < 3; p++) {
        TopicPartition tp = acksAll(p);
        sb.append(tp)
            .append(" leader ")
            .append(cluster.leaderOf(tp))
            .append(" isr ")
            .append(cluster.isrOf(tp))
            .append("; ");
      }
      return sb.toString();
    }
  }

  private final String name;
  private ClusterOptions clusterOptions = ClusterOptions.defaults();
  private WorkloadOptions workloadOptions = WorkloadOptions.defaults();
  private Expect expect = Expect.SAFE;

  private FaultScenario(String name) {
    this.name = name;
  }

  static FaultScenario named(String name) {
    return new FaultScenario(name);
  }

  FaultScenario cluster(ClusterOptions options) {
    this.clusterOptions = options;
    return this;
  }

  FaultScenario workload(WorkloadOptions options) {
    this.workloadOptions = options;
    return this;
  }

  FaultScenario expect(Expect expect) {
    this.expect = expect;
    return this;
  }

  /** Runs the scenario; returns the checker's report after asserting the expected verdict. */
  CheckReport run(Fault fault) throws Exception {
    ScenarioDir dir = ScenarioDir.create(name);
    boolean passed = false;
    Workload workload = null;
    long startNanos = System.nanoTime();
    LOG.info("scenario {}: starting in {}", name, dir.path());
    try (ProcessCluster cluster = ProcessCluster.start(dir.path(), clusterOptions)) {
      workload = Workload.start(cluster.bootstrapServers(), cluster.admin(), workloadOptions);
      Context context = new Context(cluster, workload);
      workload.awaitProgress(WARMUP_TIMEOUT);
      LOG.info("scenario {}: warmed up; injecting the fault", name);

      fault.inject(context);

      LOG.info("scenario {}: healing", name);
      heal(cluster);
      context.awaitHealthy(HEAL_TIMEOUT);
      workload.awaitProgress(PROGRESS_TIMEOUT);
      LOG.info("scenario {}: healthy and making progress; stopping the workload", name);

      workload.stop(STOP_TIMEOUT);
      Map<String, Map<Integer, FinalRead>> reads = workload.finalRead(FINAL_READ_TIMEOUT);
      Map<Integer, Path> logDirs = new TreeMap<>();
      for (int id : cluster.brokerIds()) {
        logDirs.put(id, cluster.logDir(id));
      }
      List<ReplicaLog> replicas =
          workload.replicaDump(
              logDirs,
              new ScriptLogDumper(cluster.scriptsDir().resolve("brook-dump-log.sh"), DUMP_TIMEOUT));
      CheckReport report = workload.check(reads, replicas);
      long seconds = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
      record(dir.path(), report, seconds);
      workload.saveHistories(dir.path());
      switch (expect) {
        case SAFE -> report.assertSafe();
        case LOSS_DETECTED -> {
          String acksAll = workload.topics().get(AckMode.ALL);
          if (report.lostCount(acksAll) == 0) {
            throw new AssertionError(
                "negative control "
                    + name
                    + ": the checker found no lost acks=all record although the broker was"
                    + " told to lose them:\n"
                    + report);
          }
        }
      }
      passed = true;
      return report;
    } finally {
      if (!passed && workload != null) {
        try {
          workload.saveHistories(dir.path());
        } catch (IOException | RuntimeException e) {
          LOG.warn("could not save the histories of {}: {}", name, e.toString());
        }
      }
      if (workload != null) {
        workload.close();
      }
      Path kept = dir.finish(passed);
      if (kept != null) {
        LOG.error("scenario {} FAILED; its logs, histories and data are kept in {}", name, kept);
      }
    }
  }

  /** Undoes every fault: resumes paused processes, starts stopped ones, heals the network. */
  private static void heal(ProcessCluster cluster) {
    for (int id : cluster.brokerIds()) {
      cluster.healZooKeeperNetwork(id);
      if (cluster.isPaused(id)) {
        cluster.resume(id);
      }
    }
    cluster.healBrokerNetwork();
    for (int id : cluster.brokerIds()) {
      if (!cluster.isRunning(id)) {
        cluster.start(id);
      }
    }
  }

  private void record(Path scenarioDir, CheckReport report, long seconds) throws IOException {
    String text =
        "== scenario "
            + name
            + " ("
            + seconds
            + " s, expect "
            + expect
            + ")\n"
            + report.table()
            + "\n";
    LOG.info("scenario {} verdict:\n{}{}", name, text, report);
    Path summary = scenarioDir.getParent().resolve("summary.txt");
    Files.createDirectories(summary.getParent());
    Files.writeString(
        summary,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
