package io.brook.broker.testing;

import io.brook.broker.server.BrokerServer;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.CreatableTopic;
import io.brook.protocol.v1.CreatableTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.PartitionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;

/**
 * An in-JVM Brook cluster for tests: a real ZooKeeper (curator-test) and N real brokers on loopback
 * port 0, each with its own log dir under a test's temporary directory. Brokers can be stopped,
 * restarted on the same data and have their ZooKeeper session expired. Every wait has a deadline.
 */
public final class TestCluster implements AutoCloseable {
  private final TestingServer zk;
  private final Path baseDir;
  private final Map<String, String> extraProps;
  private final List<BrokerServer> brokers = new ArrayList<>();
  private final String chroot = "/brook";

  private TestCluster(Path baseDir, Map<String, String> extraProps) throws Exception {
    this.zk = new TestingServer(true);
    this.baseDir = baseDir;
    this.extraProps = extraProps;
  }

  /** Starts ZooKeeper and {@code n} brokers (ids 1..n); waits for registration and a controller. */
  public static TestCluster start(Path baseDir, int n, Map<String, String> extraProps)
      throws Exception {
    TestCluster c = new TestCluster(baseDir, extraProps);
    try {
      for (int id = 1; id <= n; id++) {
        c.brokers.add(c.startBroker(id, Map.of()));
      }
      c.waitForBrokers(n);
      c.waitForController();
    } catch (Exception | AssertionError e) {
      c.close();
      throw e;
    }
    return c;
  }

  public Map<String, String> brokerProps(int id, Map<String, String> overrides) {
    Map<String, String> p = new HashMap<>();
    p.put("broker.id", String.valueOf(id));
    p.put("listeners", "PLAINTEXT://127.0.0.1:0");
    p.put("log.dirs", baseDir.resolve("broker-" + id).toString());
    p.put("zookeeper.connect", zk.getConnectString() + chroot);
    p.put("zookeeper.session.timeout.ms", "10000");
    p.put("request.timeout.ms", "15000");
    // tests decide where leadership goes; the automatic rebalance is enabled by the tests of it
    p.put("auto.leader.rebalance.enable", "false");
    p.putAll(extraProps);
    p.putAll(overrides);
    return p;
  }

  private BrokerServer startBroker(int id, Map<String, String> overrides) {
    return BrokerServer.startInProcess(brokerProps(id, overrides));
  }

  /** The ZooKeeper server (tests stop and restart it to cut every broker's session). */
  public TestingServer zooKeeper() {
    return zk;
  }

  public String connectString() {
    return zk.getConnectString() + chroot;
  }

  public List<BrokerServer> brokers() {
    return brokers;
  }

  public BrokerServer broker(int id) {
    return brokers.get(id - 1);
  }

  /** host:port of every running broker. */
  public String bootstrapServers() {
    return brokers.stream()
        .filter(BrokerServer::isRunning)
        .map(b -> "127.0.0.1:" + b.boundPort())
        .collect(Collectors.joining(","));
  }

  /** Waits until every running broker's metadata lists {@code n} live brokers. */
  public void waitForBrokers(int n) {
    Wait.until(
        n + " live brokers in every broker's metadata",
        Duration.ofSeconds(60),
        () ->
            brokers.stream()
                .filter(BrokerServer::isRunning)
                .allMatch(b -> b.metadataCache().liveBrokers().size() == n));
  }

  /** Waits for an active controller and returns its broker. */
  public BrokerServer waitForController() {
    Wait.until(
        "an active controller", Duration.ofSeconds(60), () -> activeController().isPresent());
    return activeController().orElseThrow();
  }

  public Optional<BrokerServer> activeController() {
    return brokers.stream()
        .filter(BrokerServer::isRunning)
        .filter(BrokerServer::isController)
        .findFirst();
  }

  /** Stops broker {@code id} cleanly. */
  public void stop(int id) {
    broker(id).close();
  }

  /** Starts broker {@code id} again on its log dir (a new port). */
  public BrokerServer restart(int id) {
    BrokerServer b = broker(id);
    b.close();
    BrokerServer again = startBroker(id, Map.of());
    brokers.set(id - 1, again);
    return again;
  }

  /** Expires broker {@code id}'s ZooKeeper session, as a long pause or partition would. */
  public void expireSession(int id) throws Exception {
    KillSession.kill(broker(id).zkClient().getZookeeperClient().getZooKeeper());
  }

  /**
   * Kills broker {@code id} without a controlled shutdown: its ZooKeeper session expires first (so
   * the controller sees it die, as after a crash), then the process part is closed.
   */
  public void kill(int id) throws Exception {
    expireSession(id);
    broker(id).close();
  }

  /** The first running broker (to talk to, or to read metadata from). */
  public BrokerServer anyRunning() {
    return brokers.stream().filter(BrokerServer::isRunning).findFirst().orElseThrow();
  }

  /** {@code tp}'s state in the metadata of the first running broker. */
  public Optional<PartitionState> partitionState(TopicPartition tp) {
    return anyRunning().metadataCache().partition(tp);
  }

  /**
   * Waits until every running broker's metadata shows {@code tp} in a state that {@code ok}
   * accepts; returns that state.
   */
  public PartitionState waitForPartition(
      TopicPartition tp, String what, Predicate<PartitionState> ok) {
    Wait.until(
        tp + ": " + what,
        Duration.ofSeconds(60),
        () ->
            brokers.stream()
                .filter(BrokerServer::isRunning)
                .allMatch(b -> b.metadataCache().partition(tp).filter(ok).isPresent()));
    return partitionState(tp).orElseThrow();
  }

  /** The running broker that leads {@code tp} (waits for one). */
  public BrokerServer leader(TopicPartition tp) {
    PartitionState s =
        waitForPartition(
            tp, "a running leader", ps -> ps.getLeader() > 0 && broker(ps.getLeader()).isRunning());
    BrokerServer b = broker(s.getLeader());
    Wait.until(
        "broker " + b.brokerId() + " leads " + tp,
        Duration.ofSeconds(60),
        () -> b.replicaManager().partition(tp).map(p -> p.isLeader()).orElse(false));
    return b;
  }

  /**
   * Creates a topic over raw gRPC and waits until every running broker knows a leader for each
   * partition and (when all brokers run) a full ISR.
   */
  public void createTopic(String name, int partitions, int rf, Map<String, String> configs) {
    try (BrokerClient c = new BrokerClient(anyRunning().boundPort())) {
      CreatableTopicResult r =
          c.call()
              .createTopics(
                  CreateTopicsRequest.newBuilder()
                      .setTimeoutMs(30_000)
                      .addTopics(
                          CreatableTopic.newBuilder()
                              .setName(name)
                              .setNumPartitions(partitions)
                              .setReplicationFactor(rf)
                              .putAllConfigs(configs))
                      .build())
              .getTopics(0);
      if (r.getError() != ErrorCode.NONE) {
        throw new AssertionError("CreateTopics " + name + ": " + r.getError() + " " + r);
      }
    }
    for (int p = 0; p < partitions; p++) {
      TopicPartition tp = new TopicPartition(name, p);
      waitForPartition(tp, "created with a full ISR", ps -> ps.getIsrCount() == rf);
      leader(tp);
    }
  }

  @Override
  public void close() throws Exception {
    for (BrokerServer b : brokers) {
      try {
        b.close();
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
    zk.close();
  }
}
