package io.brook.broker.tools;

import io.brook.common.Time;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts one member of a development cluster as its own detached JVM, through the same start
 * scripts an operator uses ({@code brook-zookeeper-server-start.sh}, {@code
 * brook-server-start.sh}), so that the JVM options live in one place (brook-run-class.sh).
 *
 * <p>The scripts {@code exec} down to {@code java}, so the pid of the started process is the pid of
 * the member's JVM. Standard output and error are appended to the member's log file, after a header
 * line naming the start; standard input is {@code /dev/null}.
 *
 * <p>Environment of the members: the launcher's own environment, except that {@code
 * BROOK_HEAP_OPTS} is replaced by {@code brokerHeapOpts} for brokers and {@code zookeeperHeapOpts}
 * for ZooKeeper (each removed when empty, which leaves the script's default), and {@code
 * BROOK_LOG_DIR} is removed (each member logs to its own file in the cluster directory).
 *
 * <p>Immutable; safe to use from any thread.
 */
public final class MemberLauncher {

  static final String ZOOKEEPER_SCRIPT = "brook-zookeeper-server-start.sh";
  static final String BROKER_SCRIPT = "brook-server-start.sh";

  private final Path binDir;
  private final Map<String, String> environment;
  private final String brokerHeapOpts;
  private final String zookeeperHeapOpts;
  private final Time time;

  /**
   * @param binDir the directory of the start scripts (scripts/ in a checkout, bin/ in a
   *     distribution)
   * @param environment the environment to start from (usually {@code System.getenv()})
   * @param brokerHeapOpts BROOK_HEAP_OPTS for brokers; empty for the script's default
   * @param zookeeperHeapOpts BROOK_HEAP_OPTS for ZooKeeper; empty for the script's default
   */
  public MemberLauncher(
      Path binDir,
      Map<String, String> environment,
      String brokerHeapOpts,
      String zookeeperHeapOpts,
      Time time) {
    this.binDir = binDir.toAbsolutePath().normalize();
    this.environment = Map.copyOf(environment);
    this.brokerHeapOpts = brokerHeapOpts == null ? "" : brokerHeapOpts.trim();
    this.zookeeperHeapOpts = zookeeperHeapOpts == null ? "" : zookeeperHeapOpts.trim();
    this.time = time;
  }

  /** The command that starts {@code member}: its start script and its config file. */
  public List<String> command(ClusterMember member) {
    String script = member.isZooKeeper() ? ZOOKEEPER_SCRIPT : BROKER_SCRIPT;
    return List.of(binDir.resolve(script).toString(), member.config().toString());
  }

  /** The environment {@code member} starts with (see the class comment). */
  public Map<String, String> environment(ClusterMember member) {
    Map<String, String> env = new HashMap<>(environment);
    String heap = member.isZooKeeper() ? zookeeperHeapOpts : brokerHeapOpts;
    if (heap.isEmpty()) {
      env.remove("BROOK_HEAP_OPTS");
    } else {
      env.put("BROOK_HEAP_OPTS", heap);
    }
    env.remove("BROOK_LOG_DIR");
    env.remove("BROOK_DEV_CLUSTER_BROKER_HEAP_OPTS");
    return env;
  }

  /**
   * Starts {@code member} and returns its process; the caller writes the pid file and waits for
   * readiness.
   *
   * @throws IOException when the script is missing or the process cannot be started
   */
  public Process launch(ClusterMember member) throws IOException {
    List<String> command = command(member);
    Path script = Path.of(command.get(0));
    if (!Files.isExecutable(script)) {
      throw new IOException("cannot start " + member.name() + ": " + script + " is not executable");
    }
    String header =
        String.format(
            "==== %s starting at %s: %s%n",
            member.name(), Instant.ofEpochMilli(time.milliseconds()), String.join(" ", command));
    Files.writeString(
        member.logFile(),
        header,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(environment(member));
    pb.directory(member.config().getParent().toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(member.logFile().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb.start();
  }
}
