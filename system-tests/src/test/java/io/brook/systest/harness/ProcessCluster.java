package io.brook.systest.harness;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AdminClientConfig;
import io.brook.client.admin.DescribeClusterOptions;
import io.brook.client.admin.DescribeClusterResult;
import io.brook.client.admin.TopicDescription;
import io.brook.client.admin.TopicPartitionInfo;
import io.brook.client.common.Node;
import io.brook.common.TopicPartition;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.zk.ZkPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * ZooKeeper and brokers 1..N as separate JVMs started through the repository's {@code scripts/}, on
 * loopback, in one scenario directory, with harness-owned TCP proxies in front of every broker and
 * between every broker and ZooKeeper so that tests can cut the network.
 *
 * <p>Layout of {@code dir}: {@code zookeeper.properties}, {@code zookeeper/} (dataDir), {@code
 * zookeeper.out}; per broker {@code broker-N.properties}, {@code data-N/} (log.dirs), {@code
 * broker-N.out}; {@code scripts/} (output of {@link #runScript} runs).
 *
 * <p>Network: broker N listens on a probed port but advertises its proxy {@code P_N}, so clients
 * and the other brokers (fetchers, controller) reach it only through {@code P_N}; broker N's {@code
 * zookeeper.connect} is its own proxy {@code Z_N} in front of ZooKeeper. Each connection accepted
 * by {@code P_N} is labelled {@code broker-M} when broker M's JVM holds the other end (found in
 * {@code /proc}, see {@link ProcSockets}; pids are read afresh each time, so restarts are seen),
 * else {@code client} (the test JVM, scripts). The test JVM's own ZooKeeper client (for {@link
 * #controllerId()}, {@link #leaderOf}) connects to ZooKeeper directly.
 *
 * <p>Startup: ZooKeeper and the brokers start at once (brokers retry ZooKeeper until it is up);
 * readiness is first read from ZooKeeper directly, then confirmed through the Admin. JVMs use C1
 * only, the serial GC and a class-data-sharing archive ({@link CdsArchives}): about 2.5-4 s to a
 * ready cluster on 2 busy cores, 7-8 s for the first cluster after a rebuild (which writes the
 * archives).
 *
 * <p>Invariants: every process this cluster started is stopped by pid in {@link #close()} (and by
 * {@link ManagedProcess}'s shutdown hook if the JVM exits first); while broker N is {@linkplain
 * #isolateFromBrokers isolated}, no connection between N and another broker is open through the
 * proxies (client connections are untouched); while N is {@linkplain #isolateFromZooKeeper cut from
 * ZooKeeper}, N has no ZooKeeper connection.
 *
 * <p>Thread rules: fault methods and queries may be called from any thread, but one test thread is
 * expected to drive the faults; the proxies run their own threads.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(ProcessCluster.class);

  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(180);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  static final Duration ZK_TIMEOUT = Duration.ofSeconds(10);
  static final int ZK_SESSION_TIMEOUT_MS = 6000;
  static final int ADMIN_TIMEOUT_MS = 5000;

  /**
   * JVM flags (BROOK_JVM_PERFORMANCE_OPTS) of every process: C1 only and the serial GC start
   * fastest on 2 cores; the system property {@code brook.systest.jvmPerformanceOpts} replaces them.
   */
  static final String JVM_PERFORMANCE_OPTS =
      System.getProperty(
          "brook.systest.jvmPerformanceOpts",
          "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true");

  static final String BROKER_HEAP_OPTS = "-Xmx256m -Xms64m";
  static final String ZOOKEEPER_HEAP_OPTS = "-Xmx128m -Xms32m";

  private final Path dir;
  private final RepositoryLayout repo;
  private final ClusterOptions options;
  private final int zookeeperPort;
  private final ManagedProcess zookeeper;
  private final SortedMap<Integer, ManagedProcess> brokers = new TreeMap<>();
  private final Map<Integer, TcpProxy> brokerProxies = new TreeMap<>();
  private final Map<Integer, TcpProxy> zookeeperProxies = new TreeMap<>();
  private final Set<Integer> isolatedFromBrokers = ConcurrentHashMap.newKeySet();
  private final Set<Integer> isolatedFromZooKeeper = ConcurrentHashMap.newKeySet();
  private final AtomicInteger scriptRuns = new AtomicInteger();
  private final List<ManagedProcess> clientProcesses =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> baseEnvironment;
  private final CdsArchives cds;
  private volatile Admin admin;
  private volatile CuratorFramework zkClient;
  private volatile boolean closed;

  private ProcessCluster(Path dir, ClusterOptions options) throws IOException {
    this.dir = dir.toAbsolutePath().normalize();
    this.repo = RepositoryLayout.find();
    this.options = options;
    Files.createDirectories(this.dir);
    requireJars();
    List<Integer> ports = probeFreePorts(1 + options.brokerCount());
    this.zookeeperPort = ports.get(0);
    this.baseEnvironment = baseEnvironment();
    this.cds = new CdsArchives(repo);
    this.zookeeper = newZooKeeper();
    try {
      createBrokers(ports);
    } catch (IOException | RuntimeException e) {
      brokerProxies.values().forEach(TcpProxy::close);
      zookeeperProxies.values().forEach(TcpProxy::close);
      throw e;
    }
  }

  private void createBrokers(List<Integer> ports) throws IOException {
    for (int id = 1; id <= options.brokerCount(); id++) {
      int brokerId = id;
      InetSocketAddress zkAddress = loopback(zookeeperPort);
      zookeeperProxies.put(
          id, new TcpProxy("zk-for-broker-" + id, zkAddress, socket -> brokerLabel(brokerId)));
      zookeeperProxies.get(id).setAdmission(label -> !isolatedFromZooKeeper.contains(brokerId));
      TcpProxy proxy =
          new TcpProxy(
              "broker-" + id,
              loopback(ports.get(id)),
              ProcSockets.classifier(this::brokerLabelsByPid));
      proxy.setAdmission(label -> admitted(brokerId, label));
      brokerProxies.put(id, proxy);
      brokers.put(id, newBroker(id, ports.get(id)));
    }
  }

  /**
   * Starts ZooKeeper and all brokers at once in {@code dir} and waits (deadline {@link
   * #START_TIMEOUT}) until every broker is registered and a controller is active, as the SDK's
   * {@code describeCluster} sees it. On failure everything started is stopped before the exception
   * propagates.
   */
  public static ProcessCluster start(Path dir, ClusterOptions options) {
    ProcessCluster cluster;
    try {
      cluster = new ProcessCluster(dir, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a cluster in " + dir, e);
    }
    try {
      cluster.startAll();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void startAll() {
    long t0 = System.nanoTime();
    zookeeper.start();
    brokers.values().forEach(ManagedProcess::start);
    zkClient =
        CuratorFrameworkFactory.newClient(
            "127.0.0.1:" + zookeeperPort,
            10_000,
            (int) ZK_TIMEOUT.toMillis(),
            new RetryNTimes(2, 200));
    zkClient.start();
    // First ZooKeeper's view, read directly: an Admin created before the brokers listen would put
    // its channels into gRPC's reconnect backoff (1 s, 1.6 s, 2.6 s, ...) and see readiness late.
    AtomicReference<String> zkState = new AtomicReference<>("nothing yet");
    Deadline.await(
        "brokers " + brokerIds() + " registered in ZooKeeper and a controller elected",
        START_TIMEOUT,
        () -> {
          requireAlive(zookeeper);
          brokers.values().forEach(ProcessCluster::requireAlive);
          Set<Integer> registered = new TreeSet<>();
          for (int id : brokers.keySet()) {
            if (zkExists(ZkPaths.brokerPath(id)) != null) {
              registered.add(id);
            }
          }
          boolean controller = zkExists(ZkPaths.CONTROLLER) != null;
          zkState.set("registered " + registered + ", controller znode " + controller);
          return registered.equals(brokers.keySet()) && controller;
        },
        zkState::get);
    long zkReadyMs = (System.nanoTime() - t0) / 1_000_000;
    admin = newAdmin();
    AtomicReference<String> last = new AtomicReference<>("nothing yet");
    Deadline.await(
        "brokers " + brokerIds() + " registered and a controller active",
        START_TIMEOUT,
        () -> {
          requireAlive(zookeeper);
          brokers.values().forEach(ProcessCluster::requireAlive);
          Optional<ClusterView> view = describeCluster();
          last.set(view.map(ClusterView::toString).orElse("describeCluster failed"));
          return view.isPresent()
              && view.get().brokerIds().containsAll(brokerIds())
              && view.get().controllerId() >= 0;
        },
        last::get);
    log.info(
        "cluster of {} brokers ready in {} ms (registered in ZooKeeper after {} ms) ({})",
        brokers.size(),
        (System.nanoTime() - t0) / 1_000_000,
        zkReadyMs,
        dir);
  }

  // ------------------------------------------------------------------ accessors

  public Path dir() {
    return dir;
  }

  /** The brokers' proxy addresses, comma-separated: what clients bootstrap from. */
  public String bootstrapServers() {
    return brokerProxies.values().stream().map(TcpProxy::address).collect(Collectors.joining(","));
  }

  /** The test JVM's admin client (through the proxies); closed by {@link #close()}. */
  public Admin admin() {
    return admin;
  }

  /** ZooKeeper's own address (not through a proxy). */
  public String zookeeperConnect() {
    return "127.0.0.1:" + zookeeperPort;
  }

  /** Broker {@code brokerId}'s {@code log.dirs}. */
  public Path logDir(int brokerId) {
    broker(brokerId);
    return dir.resolve("data-" + brokerId);
  }

  /** Broker {@code brokerId}'s output file (stdout and stderr of every start). */
  public Path outputFile(int brokerId) {
    return broker(brokerId).outFile();
  }

  public Path scriptsDir() {
    return repo.scriptsDir();
  }

  public Set<Integer> brokerIds() {
    return Collections.unmodifiableSet(new TreeSet<>(brokers.keySet()));
  }

  /** The pid of broker {@code brokerId}'s current (or last) JVM. */
  public int pid(int brokerId) {
    return (int) broker(brokerId).pid();
  }

  /** Whether broker {@code brokerId}'s JVM is alive (also when paused). */
  public boolean isRunning(int brokerId) {
    return broker(brokerId).isRunning();
  }

  public boolean isPaused(int brokerId) {
    return broker(brokerId).isPaused();
  }

  public int zooKeeperPid() {
    return (int) zookeeper.pid();
  }

  // ------------------------------------------------------------------ process faults

  /** SIGKILL of broker {@code brokerId}; returns once the JVM is gone. */
  public void kill9(int brokerId) {
    broker(brokerId).kill9(KILL_TIMEOUT);
  }

  /** SIGTERM (a clean, controlled shutdown); waits until it exited (deadline 60 s). */
  public void stop(int brokerId) {
    broker(brokerId).terminate(STOP_TIMEOUT);
  }

  /**
   * Starts broker {@code brokerId} again with the same configuration and data, and waits (deadline
   * {@link #START_TIMEOUT}) until it is registered again. When its previous JVM was killed, first
   * waits for ZooKeeper to expire the old registration (a broker refuses to start while another
   * session holds its id, as Kafka's does).
   */
  public void start(int brokerId) {
    ManagedProcess broker = broker(brokerId);
    awaitRegistrationGone(brokerId);
    broker.start();
    awaitRegistered(brokerId, START_TIMEOUT);
  }

  /** SIGSTOP of broker {@code brokerId}: it stays alive but does nothing (a long GC pause). */
  public void pause(int brokerId) {
    broker(brokerId).pause();
  }

  /** SIGCONT of a paused broker. */
  public void resume(int brokerId) {
    broker(brokerId).resume();
  }

  public void kill9ZooKeeper() {
    zookeeper.kill9(KILL_TIMEOUT);
  }

  public void stopZooKeeper() {
    zookeeper.terminate(STOP_TIMEOUT);
  }

  /** Starts ZooKeeper again (same data) and waits until the test JVM's client is connected. */
  public void startZooKeeper() {
    zookeeper.start();
    Deadline.await(
        "ZooKeeper to accept connections again",
        START_TIMEOUT,
        () -> {
          requireAlive(zookeeper);
          return zkExists("/") != null;
        });
  }

  public void pauseZooKeeper() {
    zookeeper.pause();
  }

  public void resumeZooKeeper() {
    zookeeper.resume();
  }

  // ------------------------------------------------------------------ network faults

  /**
   * Cuts broker {@code brokerId} off from every other broker, both directions: open connections
   * between them are closed now, new ones right after accept. Clients and ZooKeeper are untouched.
   */
  public void isolateFromBrokers(int brokerId) {
    broker(brokerId);
    isolatedFromBrokers.add(brokerId);
    int cut = 0;
    for (Map.Entry<Integer, TcpProxy> e : brokerProxies.entrySet()) {
      int target = e.getKey();
      cut += e.getValue().closeConnections(label -> !admitted(target, label));
    }
    log.info("isolated broker {} from the other brokers ({} connections cut)", brokerId, cut);
  }

  /** Ends every {@link #isolateFromBrokers} isolation. */
  public void healBrokerNetwork() {
    isolatedFromBrokers.clear();
    log.info("healed the network between brokers");
  }

  /**
   * Cuts broker {@code brokerId} off from ZooKeeper: closes its connections and refuses new ones.
   */
  public void isolateFromZooKeeper(int brokerId) {
    broker(brokerId);
    isolatedFromZooKeeper.add(brokerId);
    int cut = zookeeperProxies.get(brokerId).closeConnections(label -> true);
    log.info("isolated broker {} from ZooKeeper ({} connections cut)", brokerId, cut);
  }

  public void healZooKeeperNetwork(int brokerId) {
    isolatedFromZooKeeper.remove(brokerId);
    log.info("healed broker {}'s ZooKeeper connection", brokerId);
  }

  /** The labels of the open connections through broker {@code brokerId}'s proxy (diagnostics). */
  public List<String> connectionsTo(int brokerId) {
    broker(brokerId);
    return brokerProxies.get(brokerId).connectionLabels();
  }

  private boolean admitted(int targetBroker, String label) {
    Integer from = brokerIdOf(label);
    if (from == null || from == targetBroker) {
      return true;
    }
    return !isolatedFromBrokers.contains(from) && !isolatedFromBrokers.contains(targetBroker);
  }

  // ------------------------------------------------------------------ cluster state

  /**
   * The active controller's broker id from ZooKeeper's {@code /controller}, -1 when there is none;
   * when ZooKeeper cannot be read, what the Admin's {@code describeCluster} says (-1 if that fails
   * too).
   */
  public int controllerId() {
    try {
      byte[] data = zkClient.getData().forPath(ZkPaths.CONTROLLER);
      return ZkPaths.decodeController(data).brokerId();
    } catch (KeeperException.NoNodeException e) {
      return -1;
    } catch (Exception e) {
      return describeCluster().map(ClusterView::controllerId).orElse(-1);
    }
  }

  /**
   * Whether broker {@code brokerId}'s registration znode {@code /brokers/ids/<id>} exists (read
   * from ZooKeeper directly).
   *
   * @throws IllegalStateException when ZooKeeper cannot be read
   */
  public boolean isRegistered(int brokerId) {
    String path = ZkPaths.brokerPath(brokerId);
    try {
      return zkClient.checkExists().forPath(path) != null;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + path + " from ZooKeeper: " + e, e);
    }
  }

  /** The leader of {@code tp} as the controller wrote it to ZooKeeper; -1 when none. */
  public int leaderOf(TopicPartition tp) {
    return partitionState(tp).map(LeaderAndIsr::leader).orElse(LeaderAndIsr.NO_LEADER);
  }

  /** The ISR of {@code tp} as the controller wrote it to ZooKeeper; empty when unknown. */
  public Set<Integer> isrOf(TopicPartition tp) {
    return partitionState(tp).map(s -> (Set<Integer>) new TreeSet<>(s.isr())).orElse(Set.of());
  }

  /** The assigned replicas of {@code tp}, preferred leader first, from ZooKeeper; empty if none. */
  public List<Integer> replicasOf(TopicPartition tp) {
    String path = ZkPaths.topicPath(tp.topic());
    try {
      byte[] data = zkClient.getData().forPath(path);
      return ZkPaths.decodeTopic(tp.topic(), data, new java.util.UUID(0, 0))
          .replicasOf(tp.partition());
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + path + " from ZooKeeper: " + e, e);
    }
  }

  private Optional<LeaderAndIsr> partitionState(TopicPartition tp) {
    String path = ZkPaths.partitionStatePath(tp.topic(), tp.partition());
    try {
      Stat stat = new Stat();
      byte[] data = zkClient.getData().storingStatIn(stat).forPath(path);
      return Optional.of(ZkPaths.decodePartitionState(data, stat.getVersion()));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + path + " from ZooKeeper: " + e, e);
    }
  }

  /**
   * Waits until the cluster is healthy: every running, unpaused broker is registered (in ZooKeeper
   * and in the Admin's {@code describeCluster}), a controller is active, and every partition of
   * {@code topics} has a leader that is a running, unpaused broker and an ISR equal to its
   * replicas, as the Admin sees it and as the controller wrote it to ZooKeeper (a broker's metadata
   * may lag behind). On timeout throws with the last state seen.
   */
  public void awaitHealthy(Collection<String> topics, Duration timeout) {
    AtomicReference<String> last = new AtomicReference<>("nothing yet");
    Deadline.await(
        "cluster healthy (live brokers registered, a controller; topics "
            + topics
            + ": leader on a live broker, ISR = replicas)",
        timeout,
        () -> {
          Set<Integer> live = new TreeSet<>();
          brokers.forEach(
              (id, b) -> {
                if (b.isRunning() && !b.isPaused()) {
                  live.add(id);
                }
              });
          Set<Integer> unregistered = new TreeSet<>();
          for (int id : live) {
            if (zkExists(ZkPaths.brokerPath(id)) == null) {
              unregistered.add(id);
            }
          }
          Optional<ClusterView> view = describeCluster();
          if (!unregistered.isEmpty()
              || view.isEmpty()
              || !view.get().brokerIds().containsAll(live)
              || view.get().controllerId() < 0) {
            last.set(
                "running brokers "
                    + live
                    + ", not registered in ZooKeeper "
                    + unregistered
                    + ", describeCluster "
                    + view.map(ClusterView::toString).orElse("failed"));
            return false;
          }
          try {
            Map<String, TopicDescription> d =
                admin
                    .describeTopics(topics)
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            last.set(describe(d));
            if (!d.values().stream()
                .allMatch(t -> t.partitions().stream().allMatch(this::healthy))) {
              return false;
            }
            // A broker's metadata may lag; what the controller wrote to ZooKeeper must agree.
            for (TopicDescription t : d.values()) {
              for (TopicPartitionInfo p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.name(), p.partition());
                Optional<LeaderAndIsr> state = partitionState(tp);
                if (state.isEmpty()
                    || state.get().leader() != p.leader().id()
                    || !new TreeSet<>(state.get().isr()).equals(ids(p.replicas()))) {
                  last.set(
                      "the Admin sees "
                          + tp
                          + " healthy but ZooKeeper has "
                          + state.map(Object::toString).orElse("no state")
                          + "; "
                          + last.get());
                  return false;
                }
              }
            }
            return true;
          } catch (Exception e) {
            last.set("describeTopics failed: " + e);
            return false;
          }
        },
        last::get);
  }

  private boolean healthy(TopicPartitionInfo p) {
    if (p.leader() == null || p.leader().isEmpty() || p.replicas().isEmpty()) {
      return false;
    }
    ManagedProcess leader = brokers.get(p.leader().id());
    Set<Integer> isr = ids(p.isr());
    return leader != null
        && leader.isRunning()
        && !leader.isPaused()
        && isr.equals(ids(p.replicas()));
  }

  private static String describe(Map<String, TopicDescription> topics) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(topics)
        .forEach(
            (name, t) ->
                t.partitions()
                    .forEach(
                        p ->
                            b.append(name)
                                .append('-')
                                .append(p.partition())
                                .append(" leader=")
                                .append(p.leader() == null ? "none" : p.leader().id())
                                .append(" replicas=")
                                .append(ids(p.replicas()))
                                .append(" isr=")
                                .append(ids(p.isr()))
                                .append("; ")));
    return b.toString();
  }

  private static Set<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
  }

  // ------------------------------------------------------------------ scripts

  /**
   * Runs {@code scripts/<script> args...} (e.g. {@code brook-dump-log.sh}) with the cluster's JVM
   * options and waits for it (deadline 180 s; killed after). Its output is kept in {@code
   * dir/scripts/}.
   */
  public ScriptResult runScript(String script, String... args) {
    Path scriptPath = repo.scriptsDir().resolve(script);
    if (!Files.isExecutable(scriptPath)) {
      throw new IllegalArgumentException(scriptPath + " does not exist or is not executable");
    }
    List<String> command = new ArrayList<>();
    command.add(scriptPath.toString());
    command.addAll(List.of(args));
    try {
      Path outDir = Files.createDirectories(dir.resolve("scripts"));
      String base = String.format("%03d-%s", scriptRuns.incrementAndGet(), script);
      Path stdout = outDir.resolve(base + ".stdout");
      Path stderr = outDir.resolve(base + ".stderr");
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().clear();
      pb.environment().putAll(baseEnvironment);
      pb.directory(dir.toFile());
      pb.redirectOutput(stdout.toFile());
      pb.redirectError(stderr.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      ManagedProcess.track(p);
      if (!p.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        throw new AssertionError(
            command + " did not finish within " + SCRIPT_TIMEOUT.toSeconds() + " s; killed");
      }
      return new ScriptResult(
          p.exitValue(),
          Files.readString(stdout, StandardCharsets.UTF_8),
          Files.readString(stderr, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /**
   * A long-running client script ({@code brook-console-consumer.sh ...}) as a process the test
   * starts, kills or stops like a broker; not started yet. Output in {@code
   * dir/scripts/<name>.out}; heap {@code -Xmx128m}. Stopped (SIGKILL if still running) by {@link
   * #close()}.
   */
  public ManagedProcess newClientProcess(String name, String script, String... args) {
    Path scriptPath = repo.scriptsDir().resolve(script);
    if (!Files.isExecutable(scriptPath)) {
      throw new IllegalArgumentException(scriptPath + " does not exist or is not executable");
    }
    List<String> command = new ArrayList<>();
    command.add(scriptPath.toString());
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>(baseEnvironment);
    env.put("BROOK_HEAP_OPTS", "-Xmx128m");
    try {
      Path outDir = Files.createDirectories(dir.resolve("scripts"));
      ManagedProcess p = new ManagedProcess(name, command, env, outDir.resolve(name + ".out"), dir);
      clientProcesses.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + command, e);
    }
  }

  // ------------------------------------------------------------------ close

  /**
   * Stops every process by pid: SIGCONT for paused ones, SIGTERM to all brokers at once, SIGKILL
   * after {@link #CLOSE_TIMEOUT}; then ZooKeeper; then closes the clients and proxies. Idempotent;
   * never throws.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    closeQuietly(admin);
    synchronized (clientProcesses) {
      for (ManagedProcess c : clientProcesses) {
        if (c.isRunning()) {
          c.kill9(CLOSE_TIMEOUT);
        }
      }
    }
    for (ManagedProcess b : brokers.values()) {
      try {
        b.sendTerminate();
      } catch (RuntimeException e) {
        log.warn("SIGTERM to {} failed: {}", b, e.toString());
      }
    }
    Deadline deadline = Deadline.after(CLOSE_TIMEOUT);
    boolean allExitedByThemselves = true;
    for (ManagedProcess b : brokers.values()) {
      allExitedByThemselves &= b.awaitExitOrKill(deadline.remaining());
    }
    try {
      zookeeper.sendTerminate();
    } catch (RuntimeException e) {
      log.warn("SIGTERM to {} failed: {}", zookeeper, e.toString());
    }
    allExitedByThemselves &= zookeeper.awaitExitOrKill(CLOSE_TIMEOUT);
    // an archive is written at exit: one of a process killed meanwhile may be partial
    cds.promote(allExitedByThemselves);
    closeQuietly(zkClient);
    brokerProxies.values().forEach(TcpProxy::close);
    zookeeperProxies.values().forEach(TcpProxy::close);
    log.info("cluster in {} closed in {} ms", dir, (System.nanoTime() - t0) / 1_000_000);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("closing {} failed: {}", c, e.toString());
    }
  }

  // ------------------------------------------------------------------ internals

  private ManagedProcess broker(int brokerId) {
    ManagedProcess b = brokers.get(brokerId);
    if (b == null) {
      throw new IllegalArgumentException("no broker " + brokerId + "; brokers: " + brokerIds());
    }
    return b;
  }

  private static String brokerLabel(int brokerId) {
    return "broker-" + brokerId;
  }

  private static Integer brokerIdOf(String label) {
    return label.startsWith("broker-") ? Integer.valueOf(label.substring(7)) : null;
  }

  /** Current pid -> label of every running broker (for the proxies' classifier). */
  private Map<Long, String> brokerLabelsByPid() {
    Map<Long, String> m = new HashMap<>();
    brokers.forEach(
        (id, b) -> {
          if (b.isRunning()) {
            m.put(b.pid(), brokerLabel(id));
          }
        });
    return m;
  }

  private static void requireAlive(ManagedProcess p) {
    if (!p.isRunning()) {
      throw new AssertionError(
          p.name()
              + " exited with code "
              + p.exitCode()
              + "; last output ("
              + p.outFile()
              + "):\n"
              + p.outputTail(30));
    }
  }

  private void awaitRegistrationGone(int brokerId) {
    String path = ZkPaths.brokerPath(brokerId);
    Duration timeout = Duration.ofMillis(2L * ZK_SESSION_TIMEOUT_MS + 10_000);
    Deadline.await(
        "the old registration " + path + " to expire", timeout, () -> absentOrUnknown(path));
  }

  /** True when {@code path} is absent, or when ZooKeeper cannot be asked (nothing to wait for). */
  private boolean absentOrUnknown(String path) {
    try {
      return zkClient.checkExists().forPath(path) == null;
    } catch (Exception e) {
      return true;
    }
  }

  private void awaitRegistered(int brokerId, Duration timeout) {
    ManagedProcess b = broker(brokerId);
    String path = ZkPaths.brokerPath(brokerId);
    AtomicReference<String> last = new AtomicReference<>("nothing yet");
    Deadline.await(
        "broker " + brokerId + " registered again",
        timeout,
        () -> {
          requireAlive(b);
          Stat stat = zkExists(path);
          Optional<ClusterView> view = describeCluster();
          last.set(
              (stat == null ? path + " absent" : path + " present")
                  + ", describeCluster: "
                  + view.map(ClusterView::toString).orElse("failed"));
          return stat != null && view.isPresent() && view.get().brokerIds().contains(brokerId);
        },
        last::get);
  }

  private Stat zkExists(String path) {
    try {
      return zkClient.checkExists().forPath(path);
    } catch (Exception e) {
      return null;
    }
  }

  /** The live brokers and the controller as a client sees them. */
  record ClusterView(Set<Integer> brokerIds, int controllerId) {}

  private Optional<ClusterView> describeCluster() {
    try {
      DescribeClusterResult r =
          admin.describeCluster(new DescribeClusterOptions().timeoutMs(ADMIN_TIMEOUT_MS));
      Collection<Node> nodes = r.nodes().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      Node controller = r.controller().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      Set<Integer> ids = new TreeSet<>();
      nodes.forEach(n -> ids.add(n.id()));
      return Optional.of(
          new ClusterView(ids, controller == null || controller.isEmpty() ? -1 : controller.id()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private Admin newAdmin() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    conf.put(AdminClientConfig.CLIENT_ID_CONFIG, "system-test-admin");
    conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ADMIN_TIMEOUT_MS);
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2 * ADMIN_TIMEOUT_MS);
    return Admin.create(conf);
  }

  private void requireJars() {
    Path libs = repo.libsDir();
    try (var files = Files.list(libs)) {
      if (files.noneMatch(p -> p.getFileName().toString().startsWith("brook-broker-node"))) {
        throw new IllegalStateException("no broker jar in " + libs + ": run mvn package first");
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          libs + " is missing: run `mvn -DskipTests package` (brook-deploy fills it) first", e);
    }
  }

  private Map<String, String> baseEnvironment() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("BROOK_LOG_DIR");
    env.remove("BROOK_OPTS");
    env.remove("BROOK_HEAP_OPTS");
    env.remove("BROOK_LOG4J_OPTS");
    env.put("BROOK_JVM_PERFORMANCE_OPTS", JVM_PERFORMANCE_OPTS);
    String javaHome = System.getProperty("java.home");
    if (javaHome != null && !env.containsKey("JAVA_HOME")) {
      env.put("JAVA_HOME", javaHome);
    }
    return env;
  }

  private ManagedProcess newZooKeeper() throws IOException {
    Path config = dir.resolve("zookeeper.properties");
    Map<String, String> p = new LinkedHashMap<>();
    p.put("dataDir", dir.resolve("zookeeper").toString());
    p.put("clientPort", Integer.toString(zookeeperPort));
    p.put("clientPortAddress", "127.0.0.1");
    // tickTime 1000: sessions of 2..20 s, expiry checked every second (brokers use 6 s).
    p.put("tickTime", "1000");
    p.put("maxClientCnxns", "0");
    p.put("admin.enableServer", "false");
    p.put("4lw.commands.whitelist", "ruok,srvr,stat,mntr,dump");
    p.put("autopurge.purgeInterval", "0");
    writeProperties(config, p, "ZooKeeper of a system-test cluster");
    Map<String, String> env = new HashMap<>(baseEnvironment);
    env.put("BROOK_HEAP_OPTS", ZOOKEEPER_HEAP_OPTS);
    env.put(
        "BROOK_JVM_PERFORMANCE_OPTS",
        (JVM_PERFORMANCE_OPTS + " " + cds.jvmOpts("zookeeper", true)).trim());
    return new ManagedProcess(
        "zookeeper",
        List.of(
            repo.scriptsDir().resolve("brook-zookeeper-server-start.sh").toString(),
            config.toString()),
        env,
        dir.resolve("zookeeper.out"),
        dir);
  }

  private ManagedProcess newBroker(int id, int listenerPort) throws IOException {
    Path config = dir.resolve("broker-" + id + ".properties");
    Map<String, String> p = new LinkedHashMap<>();
    p.put("broker.id", Integer.toString(id));
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + listenerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + brokerProxies.get(id).address());
    p.put("log.dirs", dir.resolve("data-" + id).toString());
    p.put("zookeeper.connect", zookeeperProxies.get(id).address());
    p.put("zookeeper.session.timeout.ms", Integer.toString(ZK_SESSION_TIMEOUT_MS));
    // ZooKeeper starts alongside the brokers; on a loaded two-core machine it may need longer than
    // the session timeout (the default connection timeout) to answer
    p.put("zookeeper.connection.timeout.ms", "60000");
    p.put("replica.lag.time.max.ms", "4000");
    p.put("log.segment.bytes", "262144");
    p.put("num.partitions", "3");
    p.put("default.replication.factor", "3");
    p.put("num.io.threads", "2");
    p.put("num.network.threads", "1");
    // scenarios decide where leadership goes (a fault aimed at "the leader" must not see it move
    // on its own); AutoLeaderRebalanceTest turns the automatic rebalance on
    p.put("auto.leader.rebalance.enable", "false");
    p.putAll(options.brokerOverrides());
    writeProperties(config, p, "broker " + id + " of a system-test cluster");
    Map<String, String> env = new HashMap<>(baseEnvironment);
    env.put("BROOK_HEAP_OPTS", BROKER_HEAP_OPTS);
    env.put(
        "BROOK_JVM_PERFORMANCE_OPTS",
        (JVM_PERFORMANCE_OPTS + " " + cds.jvmOpts("broker", id == 1)).trim());
    String jvmOpts = options.jvmOptsOf(id);
    if (!jvmOpts.isEmpty()) {
      env.put("BROOK_OPTS", jvmOpts);
    }
    return new ManagedProcess(
        brokerLabel(id),
        List.of(repo.scriptsDir().resolve("brook-server-start.sh").toString(), config.toString()),
        env,
        dir.resolve("broker-" + id + ".out"),
        dir);
  }

  private static void writeProperties(Path file, Map<String, String> props, String comment)
      throws IOException {
    StringBuilder b = new StringBuilder("# ").append(comment).append(" (written by the harness)\n");
    props.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /**
   * {@code count} distinct free ports on 127.0.0.1 for the servers' own listeners, which are bound
   * again at every restart. They are probed below Linux's ephemeral range ({@code
   * /proc/sys/net/ipv4/ip_local_port_range}), so that neither outgoing connections nor port-0 binds
   * (the proxies) can take one while its server is down; each is checked by binding it (all held
   * until every one is chosen). Only another process choosing ports the same way could collide; the
   * start then fails loudly. Falls back to OS-chosen ports when the range leaves no room.
   */
  static List<Integer> probeFreePorts(int count) throws IOException {
    int ephemeralLow = ephemeralPortRangeStart();
    int low = 10_000;
    boolean outsideEphemeral = ephemeralLow - low >= 1000;
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      Set<Integer> ports = new HashSet<>();
      List<Integer> ordered = new ArrayList<>();
      java.util.Random random = new java.util.Random();
      int attempts = 0;
      while (ordered.size() < count) {
        if (++attempts > 1000) {
          throw new IOException("no free port found in 1000 attempts");
        }
        int candidate = outsideEphemeral ? low + random.nextInt(ephemeralLow - low) : 0;
        ServerSocket s = new ServerSocket();
        try {
          s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate), 1);
        } catch (IOException inUse) {
          s.close();
          continue;
        }
        sockets.add(s);
        if (ports.add(s.getLocalPort())) {
          ordered.add(s.getLocalPort());
        }
      }
      return ordered;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static int ephemeralPortRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32768; // Linux's default
    }
  }
}
