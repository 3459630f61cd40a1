package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.ListTopicsOptions;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.Node;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * brook-rolling-restart.sh: restarts brokers one at a time, never taking a second replica of a
 * partition down before the first is back in sync.
 *
 * <pre>
 * brook-rolling-restart.sh --bootstrap-server B --restart-command 'CMD {id}'
 *     [--brokers 1,2,3] [--timeout-ms N] [--poll-ms N] [--command-config F]
 * </pre>
 *
 * <p>For each broker (default: every registered broker, by id): wait until no partition is
 * under-replicated (nor offline); run the restart command through {@code sh -c}, {@code {id}}
 * replaced by the broker id (its output passes through; a non-zero exit stops the tool); wait until
 * the broker is registered again and no partition is under-replicated; run a preferred leader
 * election; wait until every partition whose preferred (first) replica is live and in the ISR is
 * led by it. Each step prints one line with the elapsed time since the tool started. Every wait has
 * the deadline {@code --timeout-ms} (default 300000); a missed deadline prints what was still wrong
 * and exits 1.
 *
 * <p>The restart command must return once the broker process has been stopped and started again
 * (e.g. {@code ssh host%s sudo systemctl restart brook-broker}); the tool does not watch the
 * process, only the cluster.
 *
 * <p>The preferred election goes through {@link PreferredElection}: by default {@code
 * brook-leader-election.sh --election-type preferred --all-topic-partitions} from the same bin/
 * directory. When that script is not installed the election step is reported as skipped and
 * leadership is not awaited.
 */
public final class RollingRestartCommand {
  private RollingRestartCommand() {}

  static final long DEFAULT_TIMEOUT_MS = 300_000;
  static final long DEFAULT_POLL_MS = 1_000;

  /** Runs the preferred leader election for every partition; the one call that is replaceable. */
  interface PreferredElection {
    /**
     * @return true when an election ran (its answers may include "already elected"), false when no
     *     election mechanism is available (the leadership wait is then skipped)
     * @throws Exception when the election failed
     */
    boolean electPreferredLeaders(String bootstrapServers, PrintStream out) throws Exception;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  public static int run(String[] args, PrintStream out) {
    return run(args, out, new ScriptElection(binDir()), System::nanoTime);
  }

  static int run(String[] args, PrintStream out, PreferredElection election, LongSupplier nanos) {
    return ToolArgs.run(
        "RollingRestartCommand", ToolArgs.verbose(args), () -> execute(args, out, election, nanos));
  }

  private static int execute(
      String[] argv, PrintStream out, PreferredElection election, LongSupplier nanos)
      throws Exception {
    ToolArgs a =
        new ToolArgs(
            argv,
            Set.of("--help", "--verbose"),
            Set.of(
                "--bootstrap-server",
                "--restart-command",
                "--brokers",
                "--timeout-ms",
                "--poll-ms",
                "--command-config"),
            Set.of());
    if (a.has("--help")) {
      out.println(
          "usage: brook-rolling-restart.sh --bootstrap-server B --restart-command 'CMD {id}'"
              + " [--brokers 1,2,3] [--timeout-ms N] [--poll-ms N] [--command-config F]");
      return 0;
    }
    String bootstrap = a.required("--bootstrap-server");
    String command = a.required("--restart-command");
    if (!command.contains("{id}")) {
      throw new ToolArgs.UsageException(
          "--restart-command must contain {id} (replaced by the broker id)");
    }
    long timeoutMs = a.getLong("--timeout-ms", DEFAULT_TIMEOUT_MS);
    long pollMs = a.getLong("--poll-ms", DEFAULT_POLL_MS);
    Properties props = new Properties();
    ToolArgs.loadFile(a.get("--command-config"), props);
    props.put("bootstrap.servers", bootstrap);
    props.putIfAbsent("default.api.timeout.ms", TopicCommand.DEFAULT_TOOL_TIMEOUT_MS);
    props.putIfAbsent("request.timeout.ms", TopicCommand.DEFAULT_TOOL_TIMEOUT_MS);
    try (Admin admin = Admin.create(props)) {
      Restarter r =
          new Restarter(
              admin,
              bootstrap,
              command,
              timeoutMs,
              pollMs,
              out,
              election,
              nanos,
              nanos.getAsLong());
      List<Integer> brokers =
          a.get("--brokers") != null ? parseIds(a.get("--brokers")) : r.registeredBrokers();
      Set<Integer> registered = new TreeSet<>(r.registeredBrokers());
      for (int id : brokers) {
        if (!registered.contains(id)) {
          throw new ToolArgs.UsageException(
              "Broker " + id + " is not registered (registered brokers: " + join(registered) + ")");
        }
      }
      r.progress("Rolling restart of brokers " + join(brokers) + ": " + command);
      for (int id : brokers) {
        if (!r.restart(id)) {
          return 1;
        }
      }
      r.progress("Rolling restart of brokers " + join(brokers) + " completed");
      return 0;
    }
  }

  static List<Integer> parseIds(String list) {
    List<Integer> ids = new ArrayList<>();
    for (String s : list.split(",")) {
      if (s.isBlank()) {
        continue;
      }
      try {
        ids.add(Integer.parseInt(s.trim()));
      } catch (NumberFormatException e) {
        throw new ToolArgs.UsageException("Invalid broker id in --brokers: " + s.trim());
      }
    }
    if (ids.isEmpty()) {
      throw new ToolArgs.UsageException("--brokers names no broker");
    }
    return ids;
  }

  static String join(java.util.Collection<?> items) {
    return items.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** The per-run state: the admin, the clock and the output. Not thread-safe. */
  private static final class Restarter {
    private final Admin admin;
    private final String bootstrap;
    private final String command;
    private final long timeoutMs;
    private final long pollMs;
    private final PrintStream out;
    private final PreferredElection election;
    private final LongSupplier nanos;
    private final long startNanos;

    Restarter(
        Admin admin,
        String bootstrap,
        String command,
        long timeoutMs,
        long pollMs,
        PrintStream out,
        PreferredElection election,
        LongSupplier nanos,
        long startNanos) {
      this.admin = admin;
      this.bootstrap = bootstrap;
      this.command = command;
      this.timeoutMs = timeoutMs;
      this.pollMs = pollMs;
      this.out = out;
      this.election = election;
      this.nanos = nanos;
      this.startNanos = startNanos;
    }

    void progress(String line) {
      double s = (nanos.getAsLong() - startNanos) / 1e9;
      out.printf("[%8.1fs] %s%n", s, line);
      out.flush();
    }

    boolean restart(int id) throws Exception {
      progress("Broker " + id + ": waiting until no partition is under-replicated");
      if (!awaitHealthy(null)) {
        return false;
      }
      String cmd = command.replace("{id}", Integer.toString(id));
      progress("Broker " + id + ": running restart command: " + cmd);
      int exit = runCommand(cmd);
      if (exit != 0) {
        progress("Broker " + id + ": restart command failed with exit code " + exit + "; stopping");
        return false;
      }
      progress("Broker " + id + ": restart command done; waiting until it is registered again");
      if (!awaitHealthy(id)) {
        return false;
      }
      progress("Broker " + id + ": registered, no partition under-replicated");
      progress("Broker " + id + ": running preferred leader election");
      boolean ran = election.electPreferredLeaders(bootstrap, out);
      if (!ran) {
        progress(
            "Broker "
                + id
                + ": preferred leader election not available (no brook-leader-election.sh);"
                + " leadership not awaited");
        progress("Broker " + id + ": done");
        return true;
      }
      progress("Broker " + id + ": waiting until every partition is led by its preferred replica");
      if (!awaitPreferredLeaders()) {
        return false;
      }
      progress("Broker " + id + ": done, leadership balanced");
      return true;
    }

    List<Integer> registeredBrokers() throws Exception {
      return admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).stream()
          .map(Node::id)
          .sorted()
          .toList();
    }

    /**
     * Waits until no partition is under-replicated or offline (and, with {@code id}, until that
     * broker is registered). Prints what is still wrong when the deadline passes.
     */
    private boolean awaitHealthy(Integer id) throws InterruptedException {
      long deadline = nanos.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      String last = "nothing read yet";
      while (true) {
        try {
          List<String> problems = new ArrayList<>();
          if (id != null && !registeredBrokers().contains(id)) {
            problems.add("broker " + id + " not registered");
          }
          Map<String, TopicDescription> topics = describeAll();
          List<String> urp = new ArrayList<>();
          for (TopicDescription t : topics.values()) {
            for (TopicPartitionInfo p : t.partitions()) {
              if (p.leader() == null || p.isr().size() < p.replicas().size()) {
                urp.add(
                    t.name()
                        + "-"
                        + p.partition()
                        + " (leader "
                        + (p.leader() == null ? "none" : p.leader().id())
                        + ", replicas "
                        + ids(p.replicas())
                        + ", isr "
                        + ids(p.isr())
                        + ")");
              }
            }
          }
          if (!urp.isEmpty()) {
            problems.add(
                urp.size() + " under-replicated partition(s): " + String.join(", ", first(urp)));
          }
          if (problems.isEmpty()) {
            return true;
          }
          last = String.join("; ", problems);
        } catch (Exception e) {
          last = "cannot read the cluster state: " + rootMessage(e);
        }
        if (nanos.getAsLong() - deadline >= 0) {
          progress("Timed out after " + timeoutMs + " ms: " + last);
          return false;
        }
        Thread.sleep(pollMs);
      }
    }

    private boolean awaitPreferredLeaders() throws InterruptedException {
      long deadline = nanos.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      String last = "nothing read yet";
      while (true) {
        try {
          Set<Integer> live = new TreeSet<>(registeredBrokers());
          List<String> notPreferred = new ArrayList<>();
          for (TopicDescription t : describeAll().values()) {
            for (TopicPartitionInfo p : t.partitions()) {
              if (p.replicas().isEmpty()) {
                continue;
              }
              int preferred = p.replicas().get(0).id();
              boolean eligible = live.contains(preferred) && ids(p.isr()).contains(preferred);
              if (eligible && (p.leader() == null || p.leader().id() != preferred)) {
                notPreferred.add(
                    t.name()
                        + "-"
                        + p.partition()
                        + " (leader "
                        + (p.leader() == null ? "none" : p.leader().id())
                        + ", preferred "
                        + preferred
                        + ")");
              }
            }
          }
          if (notPreferred.isEmpty()) {
            return true;
          }
          last =
              notPreferred.size()
                  + " partition(s) not led by their preferred replica: "
                  + String.join(", ", first(notPreferred));
        } catch (Exception e) {
          last = "cannot read the cluster state: " + rootMessage(e);
        }
        if (nanos.getAsLong() - deadline >= 0) {
          progress("Timed out after " + timeoutMs + " ms: " + last);
          return false;
        }
        Thread.sleep(pollMs);
      }
    }

    private Map<String, TopicDescription> describeAll() throws Exception {
      Set<String> names =
          admin
              .listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(timeoutMs, TimeUnit.MILLISECONDS);
      if (names.isEmpty()) {
        return Map.of();
      }
      return new TreeMap<>(
          admin.describeTopics(names).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS));
    }

    private int runCommand(String cmd) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd);
      pb.redirectErrorStream(true);
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process p = pb.start();
      try (var in = p.getInputStream()) {
        in.transferTo(out);
      }
      if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        progress("Restart command still running after " + timeoutMs + " ms; killed");
        return -1;
      }
      out.flush();
      return p.exitValue();
    }
  }

  static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  private static List<String> first(List<String> items) {
    if (items.size() <= 5) {
      return items;
    }
    List<String> head = new ArrayList<>(items.subList(0, 5));
    head.add("... (" + (items.size() - 5) + " more)");
    return head;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** The bin/ directory brook-run-class.sh names in {@code -Dbrook.bin}; null when not set. */
  static Path binDir() {
    String bin = System.getProperty("brook.bin");
    return bin == null ? null : Path.of(bin);
  }

  /**
   * The preferred election through {@code brook-leader-election.sh --election-type preferred
   * --all-topic-partitions}. At merge time this can become {@code Admin.electLeaders} (PREFERRED,
   * all partitions); the tool's behaviour stays the same.
   */
  static final class ScriptElection implements PreferredElection {
    private final Path binDir;

    ScriptElection(Path binDir) {
      this.binDir = binDir;
    }

    @Override
    public boolean electPreferredLeaders(String bootstrapServers, PrintStream out)
        throws Exception {
      Path script = binDir == null ? null : binDir.resolve("brook-leader-election.sh");
      if (script == null || !Files.isExecutable(script)) {
        return false;
      }
      ProcessBuilder pb =
          new ProcessBuilder(
              script.toString(),
              "--bootstrap-server",
              bootstrapServers,
              "--election-type",
              "preferred",
              "--all-topic-partitions");
      pb.redirectErrorStream(true);
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process p = pb.start();
      try (var in = p.getInputStream()) {
        in.transferTo(out);
      }
      if (!p.waitFor(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(script + " did not finish within 2 minutes");
      }
      // Exit 1 also when some preferred replica is not available: the leadership wait that
      // follows reports what is still wrong.
      return true;
    }
  }
}
