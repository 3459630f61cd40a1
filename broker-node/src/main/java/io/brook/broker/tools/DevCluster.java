package io.brook.broker.tools;

import io.brook.common.Time;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brook-dev-cluster.sh}: a development cluster of ZooKeeper and N brokers on 127.0.0.1, each
 * its own JVM.
 *
 * <pre>
 * brook-dev-cluster.sh start --brokers N --dir DIR --zookeeper-port P --base-port P
 *                            [--num-partitions N] [--broker-property k=v ...] [--timeout-ms MS]
 * brook-dev-cluster.sh stop --dir DIR [--timeout-ms MS]
 * brook-dev-cluster.sh status --dir DIR
 * </pre>
 *
 * <p>{@code start} writes {@code DIR/zookeeper.properties} and {@code DIR/broker-<id>.properties}
 * (ids 1..N, client ports P, P+1, ...; data under DIR), starts every member that is not running
 * through the start scripts (output in {@code DIR/<member>.log}, pid in {@code DIR/<member>.pid}),
 * waits until ZooKeeper answers {@code ruok}, every broker is registered and a controller is
 * active, then prints {@code bootstrap.servers=127.0.0.1:P,...} on standard output and exits 0.
 * Progress goes to standard error. On failure it names the member, shows the tail of its log and
 * exits 1; the members already running are left running. {@code start} on an existing DIR keeps the
 * ports and ids recorded there and starts only the members that are not running. {@code stop} sends
 * SIGTERM to the brokers, then ZooKeeper, with SIGKILL after a deadline. {@code status} prints one
 * line per member and exits 0 when all run, 3 otherwise.
 *
 * <p>The logic lives in {@link ClusterLayout} (files and ports), {@link ClusterSupervisor}
 * (processes) and {@link MemberLauncher} (environment, scripts); this class parses the command line
 * and prints.
 */
@Command(
    name = "brook-dev-cluster.sh",
    mixinStandardHelpOptions = true,
    description = "A development cluster: ZooKeeper and N brokers on 127.0.0.1, each its own JVM.",
    subcommands = {DevCluster.Start.class, DevCluster.Stop.class, DevCluster.Status.class})
public final class DevCluster implements Callable<Integer> {

  /** Exit code of {@code status} when a member is not running (as LSB init scripts). */
  static final int NOT_RUNNING = 3;

  private final Map<String, String> env;
  private final Path binDir;
  private final PrintStream out;
  private final PrintStream err;
  private final Time time;

  DevCluster(Map<String, String> env, Path binDir, PrintStream out, PrintStream err, Time time) {
    this.env = env;
    this.binDir = binDir;
    this.out = out;
    this.err = err;
    this.time = time;
  }

  public static void main(String[] args) {
    String bin = System.getProperty("brook.bin");
    Path binDir = bin != null ? Path.of(bin) : Path.of("scripts");
    System.exit(run(System.getenv(), binDir, System.out, System.err, Time.SYSTEM, args));
  }

  /** Runs the tool and returns its exit code. */
  static int run(
      Map<String, String> env,
      Path binDir,
      PrintStream out,
      PrintStream err,
      Time time,
      String... args) {
    CommandLine cl = new CommandLine(new DevCluster(env, binDir, out, err, time));
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    err.println("error: give a command: start, stop or status (--help for all flags)");
    return 2;
  }

  /** Options shared by the subcommands. */
  static class DirOption {
    @Option(
        names = "--dir",
        required = true,
        paramLabel = "DIR",
        description = "The cluster directory: configs, data, logs and pid files.")
    Path dir;
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description =
          "Start the members that are not running, wait until the cluster is ready, print"
              + " bootstrap.servers=...")
  static final class Start implements Callable<Integer> {
    @CommandLine.ParentCommand DevCluster parent;
    @CommandLine.Mixin DirOption dir;

    @Option(
        names = "--brokers",
        paramLabel = "N",
        description = "Brokers, ids 1..N (default: those in DIR, else 3).")
    Integer brokers;

    @Option(
        names = "--zookeeper-port",
        paramLabel = "PORT",
        description = "ZooKeeper's client port (default: DIR's, else 2181).")
    Integer zookeeperPort;

    @Option(
        names = "--base-port",
        paramLabel = "PORT",
        description = "Port of broker 1; broker i gets PORT+i-1 (default: DIR's, else 9092).")
    Integer basePort;

    @Option(
        names = {"--num-partitions", "--partitions-default"},
        paramLabel = "N",
        description = "num.partitions of new broker configs (default 1).")
    Integer numPartitions;

    @Option(
        names = "--broker-property",
        paramLabel = "KEY=VALUE",
        description = "Another property for new broker configs (repeatable).")
    Map<String, String> brokerProperties = new LinkedHashMap<>();

    @Option(
        names = "--timeout-ms",
        paramLabel = "MS",
        defaultValue = "120000",
        description = "How long to wait for the cluster to be ready (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Override
    public Integer call() throws Exception {
      Map<String, String> overrides = new LinkedHashMap<>();
      if (numPartitions != null) {
        overrides.put("num.partitions", numPartitions.toString());
      }
      overrides.putAll(brokerProperties);
      ClusterLayout layout =
          ClusterLayout.plan(dir.dir, brokers, zookeeperPort, basePort, overrides);
      MemberLauncher launcher =
          new MemberLauncher(
              parent.binDir,
              parent.env,
              parent.env.getOrDefault("BROOK_DEV_CLUSTER_BROKER_HEAP_OPTS", ""),
              parent.env.getOrDefault("BROOK_ZOOKEEPER_HEAP_OPTS", ""),
              parent.time);
      try (ClusterProbe probe = new AdminClusterProbe()) {
        ClusterSupervisor supervisor =
            new ClusterSupervisor(layout, launcher, probe, parent.time, parent.err);
        String bootstrap = supervisor.start(Duration.ofMillis(timeoutMs));
        parent.err.printf(
            "cluster ready: ZooKeeper at %s, %d broker(s)%n",
            layout.zookeeperConnect(), layout.brokers().size());
        parent.out.println("bootstrap.servers=" + bootstrap);
        return 0;
      } catch (ClusterSupervisor.MemberFailure f) {
        parent.err.println("error: " + f.getMessage());
        if (!f.logTail().isEmpty()) {
          parent.err.println("last lines of " + f.member().logFile() + ":");
          f.logTail().forEach(line -> parent.err.println("  " + line));
        }
        parent.err.println(
            "members that started are still running; stop them with: brook-dev-cluster.sh stop"
                + " --dir "
                + layout.dir());
        return 1;
      }
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stop the brokers (SIGTERM), then ZooKeeper; SIGKILL after the deadline.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.ParentCommand DevCluster parent;
    @CommandLine.Mixin DirOption dir;

    @Option(
        names = "--timeout-ms",
        paramLabel = "MS",
        defaultValue = "30000",
        description =
            "How long each kind of member gets to stop cleanly (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Override
    public Integer call() throws Exception {
      ClusterLayout layout = existing(dir.dir);
      ClusterSupervisor supervisor =
          new ClusterSupervisor(layout, null, null, parent.time, parent.out);
      supervisor.stop(Duration.ofMillis(timeoutMs), Duration.ofMillis(Math.min(timeoutMs, 15000)));
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "One line per member: name, pid, running or stopped, port. Exit 3 if any stopped.")
  static final class Status implements Callable<Integer> {
    @CommandLine.ParentCommand DevCluster parent;
    @CommandLine.Mixin DirOption dir;

    @Override
    public Integer call() throws Exception {
      ClusterLayout layout = existing(dir.dir);
      ClusterSupervisor supervisor =
          new ClusterSupervisor(layout, null, null, parent.time, parent.err);
      boolean all = true;
      for (ClusterSupervisor.MemberStatus s : supervisor.status()) {
        all &= s.running();
        parent.out.printf(
            "%-10s pid=%-8s %-8s port=%d%n",
            s.member().name(),
            s.pid().isPresent() ? Long.toString(s.pid().getAsLong()) : "-",
            s.running() ? "running" : "stopped",
            s.member().port());
      }
      return all ? 0 : NOT_RUNNING;
    }
  }

  private static ClusterLayout existing(Path dir) throws java.io.IOException {
    ClusterLayout layout = ClusterLayout.read(dir);
    if (layout == null) {
      throw new IllegalArgumentException(
          "no development cluster in "
              + dir.toAbsolutePath()
              + " (no zookeeper.properties, no broker-<id>.properties)");
    }
    return layout;
  }
}
