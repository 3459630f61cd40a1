package io.brook.broker.tools;

import io.brook.common.Time;
import io.brook.controller.TakeoverTimings;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brook-controller-takeover-bench.sh}: how long a new controller takes to take over a
 * cluster of N partitions (issue 7, "Scale").
 *
 * <p>Layout: ZooKeeper, {@code --data-brokers} brokers that hold every partition and are not
 * controller candidates ({@code controller.candidate=false}), and {@code --controllers} brokers
 * that hold no partition and are the only candidates (Kafka's dedicated controllers), each its own
 * JVM started by the project's scripts in {@code --dir} (see {@link DevCluster}). With {@code
 * --controllers 0} the data brokers are the candidates, and killing the controller also fails over
 * the leaders it held.
 *
 * <p>Setup: {@code --topics} x {@code --partitions} partitions (replicas rotated over the data
 * brokers, leaders spread) are written straight into ZooKeeper in Brook's layout ({@link ZkPaths}
 * codecs, one transaction per topic: topic znode and partition state znodes); the active controller
 * sees them through its watch and sends LeaderAndIsr, and the data brokers create the logs. The
 * tool waits until every data broker has a log directory for each of its replicas.
 *
 * <p>Each round kills the active controller's JVM ({@code SIGKILL}), notes when its {@code
 * /controller} znode disappears (t0, the old controller's loss: its ZooKeeper session expired), and
 * reads the new controller's {@link TakeoverTimings} line from its log: the time to win the latch
 * and claim the epoch ({@code detect}), to load the state ({@code load}), to elect leaders ({@code
 * elect}), to queue the requests ({@code send}), and until every live broker acknowledged its
 * UpdateMetadata and LeaderAndIsr ({@code acked}, from t0). It then restarts the killed broker. One
 * line per round, then one line of medians.
 */
@Command(
    name = "brook-controller-takeover-bench.sh",
    mixinStandardHelpOptions = true,
    description = "Time a controller takeover of a cluster with many partitions.")
public final class ControllerTakeoverBench implements Callable<Integer> {
  static final String TOPIC_PREFIX = "takeover-bench-";

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "Cluster directory (configs, data, logs, pids); deleted at the end.")
  Path dir;

  @Option(names = "--topics", defaultValue = "100", description = "Topics (default 100).")
  int topics;

  @Option(
      names = "--partitions",
      defaultValue = "100",
      description = "Partitions per topic (default 100).")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "3",
      description = "Replicas per partition (default 3).")
  int replicationFactor;

  @Option(
      names = "--data-brokers",
      defaultValue = "3",
      description = "Brokers holding the partitions (default 3).")
  int dataBrokers;

  @Option(
      names = "--controllers",
      defaultValue = "2",
      description =
          "Controller-only brokers, the only candidates (default 2; 0: the data brokers are"
              + " candidates).")
  int controllers;

  @Option(names = "--rounds", defaultValue = "3", description = "Takeovers (default 3).")
  int rounds;

  @Option(
      names = "--session-timeout-ms",
      defaultValue = "6000",
      description = "zookeeper.session.timeout.ms of the brokers (default 6000).")
  int sessionTimeoutMs;

  @Option(
      names = "--broker-heap",
      defaultValue = "-Xmx1g -Xms1g",
      description = "BROOK_HEAP_OPTS of the brokers (default ${DEFAULT-VALUE}).")
  String brokerHeap;

  @Option(names = "--keep", description = "Leave the cluster running and DIR in place.")
  boolean keep;

  @Option(
      names = "--alternate-classpath",
      paramLabel = "CLASSPATH",
      description =
          "A/B mode: a killed controller candidate restarts alternately with this classpath (B)"
              + " and the default one (A: BROOK_CLASSPATH or the built jars), so that rounds"
              + " alternate A, B, A, B on the same cluster; medians are printed per label.")
  String alternateClasspath;

  private final Map<String, String> env;
  private final Path binDir;
  private final PrintStream out;
  private final PrintStream err;
  private final Time time = Time.SYSTEM;

  ControllerTakeoverBench(Map<String, String> env, Path binDir, PrintStream out, PrintStream err) {
    this.env = env;
    this.binDir = binDir;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    String bin = System.getProperty("brook.bin");
    Path binDir = bin != null ? Path.of(bin) : Path.of("scripts");
    CommandLine cl =
        new CommandLine(
            new ControllerTakeoverBench(System.getenv(), binDir, System.out, System.err));
    System.exit(cl.execute(args));
  }

  /** One measured takeover, by a controller started with the classpath labelled {@code label}. */
  record Round(String label, int oldController, long t0, TakeoverTimings timings) {
    long detect() {
      return timings.startedAtMs() - t0;
    }

    long total() {
      return timings.startedAtMs() + timings.acknowledged() - t0;
    }

    String describe() {
      return String.format(
          "[%s] takeover partitions=%d brokers=%d old=%d new=%d epoch=%d: detect %d ms, load %d ms,"
              + " elect %d (%d leaders) ms, send %d ms, acked %d ms after activation;"
              + " total %d ms from the old controller's loss; event thread CPU %d ms%s",
          label,
          timings.partitions(),
          timings.brokers(),
          oldController,
          timings.controllerId(),
          timings.epoch(),
          detect(),
          timings.load(),
          timings.elect(),
          timings.leadersElected(),
          timings.send(),
          timings.acknowledged(),
          total(),
          timings.cpu(),
          timings.allAcknowledged() ? "" : " (NOT all brokers acknowledged)");
    }
  }

  @Override
  public Integer call() throws Exception {
    if (dataBrokers < replicationFactor) {
      throw new IllegalArgumentException("--data-brokers must be at least --replication-factor");
    }
    int brokers = dataBrokers + controllers;
    boolean reuse = ClusterLayout.read(dir) != null;
    Integer zkPort = reuse ? null : freePort();
    Integer basePort = reuse ? null : freeRange(brokers);
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("zookeeper.session.timeout.ms", Integer.toString(sessionTimeoutMs));
    overrides.put("auto.leader.rebalance.enable", "false");
    overrides.put("offsets.topic.replication.factor", Integer.toString(replicationFactor));
    ClusterLayout layout = ClusterLayout.plan(dir, brokers, zkPort, basePort, overrides);
    if (reuse && controllers > 0) {
      // A cluster kept by --keep: restart the candidates, so that each runs the classpath of its
      // label (A) whatever an earlier run started it with.
      for (int id = dataBrokers + 1; id <= brokers; id++) {
        kill(layout.brokers().get(id));
      }
    }
    if (!reuse) {
      layout.writeMissingConfigs();
    }
    if (!reuse && controllers > 0) {
      for (int id = 1; id <= dataBrokers; id++) {
        Files.writeString(
            layout.brokers().get(id).config(),
            "controller.candidate=false\n",
            StandardOpenOption.APPEND);
      }
    }
    MemberLauncher launcher = new MemberLauncher(binDir, env, brokerHeap, "", time);
    MemberLauncher launcherB = launcher;
    if (alternateClasspath != null) {
      Map<String, String> envB = new LinkedHashMap<>(env);
      envB.put("BROOK_CLASSPATH", alternateClasspath);
      launcherB = new MemberLauncher(binDir, envB, brokerHeap, "", time);
    }
    Map<Integer, String> labels = new TreeMap<>(); // broker id -> classpath label
    for (int id = 1; id <= brokers; id++) {
      labels.put(id, "A");
    }
    List<Round> done = new ArrayList<>();
    try (ClusterProbe probe = new AdminClusterProbe()) {
      ClusterSupervisor supervisor = new ClusterSupervisor(layout, launcher, probe, time, err);
      ClusterSupervisor supervisorB = new ClusterSupervisor(layout, launcherB, probe, time, err);
      supervisor.start(Duration.ofMinutes(3));
      try (CuratorFramework zk =
          CuratorFrameworkFactory.newClient(
              layout.zookeeperConnect(), 30_000, 15_000, new ExponentialBackoffRetry(200, 5))) {
        zk.start();
        zk.blockUntilConnected(30, TimeUnit.SECONDS);
        long t = time.milliseconds();
        createTopics(new MetadataStore(zk));
        awaitHosted(layout);
        err.printf(
            "%d partitions hosted by brokers 1..%d after %d ms%n",
            topics * partitions, dataBrokers, time.milliseconds() - t);
        for (int r = 1; r <= rounds; r++) {
          Round round = takeover(zk, layout, labels);
          done.add(round);
          out.println("round " + r + ": " + round.describe());
          // The killed broker comes back; in A/B mode with the other classpath than the new
          // controller's, so that the next round measures the other one.
          boolean b = alternateClasspath != null && round.label().equals("A");
          labels.put(round.oldController(), b ? "B" : "A");
          (b ? supervisorB : supervisor).start(Duration.ofMinutes(5));
          awaitHosted(layout);
        }
      }
      for (String label : new java.util.TreeSet<>(done.stream().map(Round::label).toList())) {
        List<Round> of = done.stream().filter(x -> x.label().equals(label)).toList();
        if (!of.isEmpty()) {
          out.println("[" + label + "] " + summary(of));
        }
      }
      return 0;
    } finally {
      if (!keep) {
        new ClusterSupervisor(layout, null, null, time, err)
            .stop(Duration.ofSeconds(30), Duration.ofSeconds(15));
        deleteTree(layout.dir());
      }
    }
  }

  // ---------------------------------------------------------------- setup

  /** Writes the topics (assignment and partition states) in ZooKeeper, one transaction each. */
  private void createTopics(MetadataStore store) {
    int epoch = store.controllerEpoch().map(v -> v.value()).orElse(0);
    for (int t = 0; t < topics; t++) {
      String name = topicName(t);
      if (store.stat(ZkPaths.topicPath(name)).isPresent()) {
        continue;
      }
      SortedMap<Integer, List<Integer>> replicas = new TreeMap<>();
      for (int p = 0; p < partitions; p++) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < replicationFactor; i++) {
          r.add((t + p + i) % dataBrokers + 1);
        }
        replicas.put(p, r);
      }
      TopicAssignment a = new TopicAssignment(name, UUID.randomUUID(), replicas);
      List<CuratorOp> ops = new ArrayList<>();
      ops.add(create(store, ZkPaths.topicPath(name), ZkPaths.encodeTopic(a)));
      ops.add(create(store, ZkPaths.partitionsPath(name), new byte[0]));
      replicas.forEach(
          (p, r) -> {
            ops.add(create(store, ZkPaths.partitionPath(name, p), new byte[0]));
            ops.add(
                create(
                    store,
                    ZkPaths.partitionStatePath(name, p),
                    ZkPaths.encodePartitionState(LeaderAndIsr.initial(r.get(0), r, epoch))));
          });
      store.commit(ops);
    }
  }

  private static CuratorOp create(MetadataStore store, String path, byte[] data) {
    try {
      return store.ops().create().withMode(CreateMode.PERSISTENT).forPath(path, data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String topicName(int t) {
    return String.format("%s%04d", TOPIC_PREFIX, t);
  }

  /** Waits until every data broker has a log directory for each of its replicas. */
  private void awaitHosted(ClusterLayout layout) throws IOException, InterruptedException {
    long deadline = time.milliseconds() + TimeUnit.MINUTES.toMillis(10);
    int expected = topics * partitions * replicationFactor / dataBrokers;
    for (int id = 1; id <= dataBrokers; id++) {
      Path data = layout.brokers().get(id).dataDir();
      long n;
      while ((n = countLogDirs(data)) < expected) {
        if (time.milliseconds() > deadline) {
          throw new IllegalStateException(
              "broker " + id + " hosts " + n + " of " + expected + " partitions after 10 min");
        }
        time.sleep(500);
      }
    }
    // LeaderAndIsr creates the log directories before it applies the states: let the brokers
    // finish the request they are applying, so that a round does not measure the setup.
    time.sleep(3000);
  }

  private static long countLogDirs(Path data) throws IOException {
    if (!Files.isDirectory(data)) {
      return 0;
    }
    long n = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(data, TOPIC_PREFIX + "*")) {
      for (Path ignored : s) {
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- one takeover

  private Round takeover(CuratorFramework zk, ClusterLayout layout, Map<Integer, String> labels)
      throws Exception {
    MetadataStore store = new MetadataStore(zk);
    ZkPaths.ControllerRegistration old = store.controller().orElseThrow();
    CompletableFuture<Long> lost = new CompletableFuture<>();
    Watcher watcher =
        event -> {
          if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            lost.complete(time.milliseconds());
          }
        };
    if (zk.checkExists().usingWatcher(watcher).forPath(ZkPaths.CONTROLLER) == null) {
      throw new IllegalStateException("no active controller");
    }
    ClusterMember victim = layout.brokers().get(old.brokerId());
    Map<Integer, Long> logOffsets = new TreeMap<>();
    for (ClusterMember b : layout.brokers().values()) {
      logOffsets.put(b.brokerId(), Files.exists(b.logFile()) ? Files.size(b.logFile()) : 0L);
    }
    err.printf("killing broker %d, controller of epoch %d%n", old.brokerId(), old.epoch());
    if (!kill(victim)) {
      throw new IllegalStateException("controller process is not running");
    }
    long t0 = lost.get(sessionTimeoutMs + 60_000L, TimeUnit.MILLISECONDS);
    long deadline = time.milliseconds() + TimeUnit.MINUTES.toMillis(10);
    while (time.milliseconds() < deadline) {
      for (ClusterMember b : layout.brokers().values()) {
        if (b.brokerId() == old.brokerId()) {
          continue;
        }
        Optional<TakeoverTimings> found =
            findTimings(b.logFile(), logOffsets.get(b.brokerId()), old.epoch());
        if (found.isPresent()) {
          return new Round(labels.get(found.get().controllerId()), old.brokerId(), t0, found.get());
        }
      }
      time.sleep(200);
    }
    throw new IllegalStateException(
        "no controller took over within 10 min of epoch " + old.epoch());
  }

  /** SIGKILLs {@code member} and waits for its exit; false when it was not running. */
  private static boolean kill(ClusterMember member) throws Exception {
    // Only a process started with this member's config file (a pid file may be stale).
    Optional<ProcessHandle> h = PidFile.liveProcess(member.pidFile(), member.config().toString());
    if (h.isEmpty()) {
      return false;
    }
    h.get().destroyForcibly();
    h.get().onExit().get(30, TimeUnit.SECONDS);
    return true;
  }

  /** The first takeover line after {@code offset} in {@code log} with an epoch above {@code e}. */
  static Optional<TakeoverTimings> findTimings(Path log, long offset, int e) throws IOException {
    if (!Files.exists(log)) {
      return Optional.empty();
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      f.seek(Math.min(offset, f.length()));
      byte[] rest = new byte[(int) (f.length() - f.getFilePointer())];
      f.readFully(rest);
      for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
        Optional<TakeoverTimings> t = TakeoverTimings.parse(line);
        if (t.isPresent() && t.get().epoch() > e) {
          return t;
        }
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- report

  static String summary(List<Round> rounds) {
    if (rounds.isEmpty()) {
      return "no rounds";
    }
    return String.format(
        "median of %d: partitions=%d detect %d ms, load %d ms, elect %d ms, send %d ms, acked %d"
            + " ms after activation; total %d ms; event thread CPU %d ms",
        rounds.size(),
        rounds.get(0).timings().partitions(),
        median(rounds, Round::detect),
        median(rounds, r -> r.timings().load()),
        median(rounds, r -> r.timings().elect()),
        median(rounds, r -> r.timings().send()),
        median(rounds, r -> r.timings().acknowledged()),
        median(rounds, Round::total),
        median(rounds, r -> r.timings().cpu()));
  }

  private static long median(List<Round> rounds, ToLongFunction<Round> f) {
    long[] v = rounds.stream().mapToLong(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  // ---------------------------------------------------------------- helpers

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A base port with {@code n} consecutive free ports (probed). */
  private static int freeRange(int n) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = freePort();
      if (base + n >= 65535) {
        continue;
      }
      boolean free = true;
      for (int i = 1; i < n && free; i++) {
        try (ServerSocket s = new ServerSocket(base + i)) {
          // free
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no " + n + " consecutive free ports found");
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
