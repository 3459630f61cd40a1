package io.brook.broker.tools;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The shape of a development cluster in its directory: ZooKeeper plus brokers 1..N on 127.0.0.1,
 * and the configuration files that describe them.
 *
 * <p>The configuration files in the directory are the record of the cluster: a directory that
 * already holds {@code zookeeper.properties} and {@code broker-<id>.properties} keeps its ports and
 * ids, so that {@code start --dir DIR} alone restarts the members that are not running, with their
 * data. Flags only fill in what is missing (new brokers, a new directory); a flag that contradicts
 * an existing file is refused with a message that says which file.
 *
 * <p>Files (all under the cluster directory): {@code zookeeper.properties}, {@code zookeeper/}
 * (dataDir), {@code broker-<id>.properties}, {@code broker-<id>/} (log.dirs); the pid and log files
 * of {@link ClusterMember}.
 *
 * <p>Immutable once planned; not thread-safe to {@link #writeMissingConfigs() write} concurrently
 * with another process planning the same directory.
 */
public final class ClusterLayout {

  public static final int DEFAULT_BROKERS = 3;
  public static final int DEFAULT_ZOOKEEPER_PORT = 2181;
  public static final int DEFAULT_BASE_PORT = 9092;
  static final String HOST = "127.0.0.1";

  private static final Pattern BROKER_CONFIG = Pattern.compile("broker-(\\d+)\\.properties");
  private static final Pattern LISTENER_PORT = Pattern.compile(":(\\d+)\\s*(,|$)");

  private final Path dir;
  private final ClusterMember zookeeper;
  private final SortedMap<Integer, ClusterMember> brokers;
  private final Map<String, String> brokerOverrides;

  private ClusterLayout(
      Path dir,
      ClusterMember zookeeper,
      SortedMap<Integer, ClusterMember> brokers,
      Map<String, String> brokerOverrides) {
    this.dir = dir;
    this.zookeeper = zookeeper;
    this.brokers = Collections.unmodifiableSortedMap(brokers);
    this.brokerOverrides = Map.copyOf(brokerOverrides);
  }

  /**
   * Plans the cluster in {@code dir} from what the directory already holds and the flags given.
   *
   * @param brokerCount {@code --brokers}, or null when not given
   * @param zookeeperPort {@code --zookeeper-port}, or null when not given
   * @param basePort {@code --base-port}, or null when not given
   * @param brokerOverrides extra broker properties for configuration files written now
   * @throws IllegalArgumentException when a flag contradicts the directory or ports collide
   * @throws IOException when an existing configuration file cannot be read
   */
  public static ClusterLayout plan(
      Path dir,
      Integer brokerCount,
      Integer zookeeperPort,
      Integer basePort,
      Map<String, String> brokerOverrides)
      throws IOException {
    dir = dir.toAbsolutePath().normalize();
    ClusterLayout existing = read(dir);

    int zkPort;
    if (existing != null && Files.exists(existing.zookeeper.config())) {
      zkPort = existing.zookeeper.port();
      if (zookeeperPort != null && zookeeperPort != zkPort) {
        throw new IllegalArgumentException(
            String.format(
                "%s says clientPort=%d but --zookeeper-port %d was given: use --zookeeper-port %d"
                    + " or another --dir",
                existing.zookeeper.config(), zkPort, zookeeperPort, zkPort));
      }
    } else {
      zkPort = zookeeperPort != null ? zookeeperPort : DEFAULT_ZOOKEEPER_PORT;
    }

    SortedMap<Integer, ClusterMember> known =
        existing == null ? new TreeMap<>() : new TreeMap<>(existing.brokers);
    int count;
    if (brokerCount != null) {
      if (brokerCount < 1) {
        throw new IllegalArgumentException("--brokers must be at least 1, not " + brokerCount);
      }
      if (!known.isEmpty() && known.lastKey() > brokerCount) {
        throw new IllegalArgumentException(
            String.format(
                "%s already holds brokers %s: use --brokers %d (or more) or another --dir",
                dir, known.keySet(), known.lastKey()));
      }
      count = brokerCount;
    } else {
      count = known.isEmpty() ? DEFAULT_BROKERS : known.lastKey();
    }
    int base;
    if (basePort != null) {
      base = basePort;
    } else if (known.containsKey(1)) {
      base = known.get(1).port();
    } else {
      base = DEFAULT_BASE_PORT;
    }

    SortedMap<Integer, ClusterMember> brokers = new TreeMap<>();
    for (int id = 1; id <= count; id++) {
      ClusterMember old = known.get(id);
      if (old != null) {
        if (basePort != null && old.port() != base + id - 1) {
          throw new IllegalArgumentException(
              String.format(
                  "%s listens on port %d but --base-port %d gives it %d: use --base-port %d"
                      + " or another --dir",
                  old.config(), old.port(), base, base + id - 1, old.port() - id + 1));
        }
        brokers.put(id, old);
      } else {
        brokers.put(id, ClusterMember.broker(dir, id, base + id - 1));
      }
    }
    ClusterLayout layout =
        new ClusterLayout(dir, ClusterMember.zookeeper(dir, zkPort), brokers, brokerOverrides);
    layout.checkPorts();
    return layout;
  }

  /**
   * The cluster recorded in {@code dir}, or null when the directory holds no configuration file.
   *
   * @throws IOException when a configuration file cannot be read
   * @throws IllegalArgumentException when a configuration file lacks its port
   */
  public static ClusterLayout read(Path dir) throws IOException {
    dir = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      return null;
    }
    ClusterMember zk = ClusterMember.zookeeper(dir, DEFAULT_ZOOKEEPER_PORT);
    boolean any = false;
    if (Files.exists(zk.config())) {
      any = true;
      String port = load(zk.config()).getProperty("clientPort");
      if (port == null) {
        throw new IllegalArgumentException(zk.config() + " has no clientPort");
      }
      zk = ClusterMember.zookeeper(dir, parsePort(zk.config(), port.trim()));
    }
    SortedMap<Integer, ClusterMember> brokers = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "broker-*.properties")) {
      for (Path file : files) {
        Matcher m = BROKER_CONFIG.matcher(file.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        any = true;
        int id = Integer.parseInt(m.group(1));
        String listeners = load(file).getProperty("listeners", "");
        Matcher port = LISTENER_PORT.matcher(listeners);
        if (!port.find()) {
          throw new IllegalArgumentException(
              file
                  + " has no port in listeners="
                  + listeners
                  + " (expected PLAINTEXT://host:port)");
        }
        brokers.put(id, ClusterMember.broker(dir, id, parsePort(file, port.group(1))));
      }
    }
    return any ? new ClusterLayout(dir, zk, brokers, Map.of()) : null;
  }

  private void checkPorts() {
    Map<Integer, String> owners = new LinkedHashMap<>();
    for (ClusterMember m : members()) {
      if (m.port() < 1 || m.port() > 65535) {
        throw new IllegalArgumentException(
            "port " + m.port() + " of " + m.name() + " is outside 1..65535");
      }
      String other = owners.putIfAbsent(m.port(), m.name());
      if (other != null) {
        throw new IllegalArgumentException(
            "port " + m.port() + " is given to both " + other + " and " + m.name());
      }
    }
  }

  /** The absolute cluster directory. */
  public Path dir() {
    return dir;
  }

  public ClusterMember zookeeper() {
    return zookeeper;
  }

  /** Brokers by id, ascending. */
  public SortedMap<Integer, ClusterMember> brokers() {
    return brokers;
  }

  /** ZooKeeper first, then the brokers by id: the order in which they start. */
  public List<ClusterMember> members() {
    List<ClusterMember> all = new ArrayList<>();
    all.add(zookeeper);
    all.addAll(brokers.values());
    return all;
  }

  /** {@code 127.0.0.1:P1,127.0.0.1:P2,...}: what clients bootstrap from. */
  public String bootstrapServers() {
    return brokers.values().stream()
        .map(b -> HOST + ":" + b.port())
        .collect(Collectors.joining(","));
  }

  /** {@code 127.0.0.1:ZK}: the brokers' zookeeper.connect. */
  public String zookeeperConnect() {
    return HOST + ":" + zookeeper.port();
  }

  /** The contents of zookeeper.properties: a standalone server on 127.0.0.1. */
  public Map<String, String> zookeeperProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("dataDir", zookeeper.dataDir().toString());
    p.put("clientPort", Integer.toString(zookeeper.port()));
    p.put("clientPortAddress", HOST);
    p.put("tickTime", "2000");
    p.put("maxClientCnxns", "0");
    p.put("admin.enableServer", "false");
    p.put("4lw.commands.whitelist", "ruok,srvr,stat,mntr,dump");
    return p;
  }

  /** The contents of broker-<id>.properties (Kafka's names), overrides applied last. */
  public Map<String, String> brokerProperties(int id) {
    ClusterMember b = brokers.get(id);
    if (b == null) {
      throw new IllegalArgumentException("no broker " + id + " in " + dir);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("broker.id", Integer.toString(id));
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + b.port());
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + b.port());
    p.put("log.dirs", b.dataDir().toString());
    p.put("zookeeper.connect", zookeeperConnect());
    p.put("zookeeper.session.timeout.ms", "18000");
    p.put("zookeeper.connection.timeout.ms", "18000");
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    // consumer groups: __consumer_offsets replicated on up to three brokers, and a group's first
    // rebalance not delayed (Kafka's development server.properties)
    p.put("offsets.topic.replication.factor", Integer.toString(Math.min(3, brokers.size())));
    p.put("group.initial.rebalance.delay.ms", "0");
    // /metrics and /health on a port the OS picks (parallel clusters never clash); each broker
    // logs it: "Metrics served on http://127.0.0.1:PORT/metrics"
    p.put("metrics.port", "0");
    p.putAll(brokerOverrides);
    return p;
  }

  /**
   * Writes the configuration files that do not exist yet (existing ones are left as they are, so
   * hand edits survive) and creates the data directories.
   *
   * @return the files written
   */
  public List<Path> writeMissingConfigs() throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    if (!Files.exists(zookeeper.config())) {
      writeProperties(zookeeper.config(), "ZooKeeper (standalone)", zookeeperProperties());
      written.add(zookeeper.config());
    }
    for (ClusterMember b : brokers.values()) {
      if (!Files.exists(b.config())) {
        writeProperties(b.config(), "Broker " + b.brokerId(), brokerProperties(b.brokerId()));
        written.add(b.config());
      }
    }
    for (ClusterMember m : members()) {
      Files.createDirectories(m.dataDir());
    }
    return written;
  }

  /** Writes {@code key=value} lines in the given order, escaped as Properties.load reads them. */
  static void writeProperties(Path file, String title, Map<String, String> props)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title).append(" of a development cluster, written by ");
    sb.append("brook-dev-cluster.sh.\n");
    sb.append("# Edit and restart the member (stop, then start --dir) to change it.\n");
    props.forEach(
        (k, v) -> sb.append(escape(k, true)).append('=').append(escape(v, false)).append('\n'));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, sb.toString(), StandardCharsets.ISO_8859_1);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String escape(String s, boolean key) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '=', ':', '#', '!' -> sb.append(key ? "\\" + c : String.valueOf(c));
        case ' ' -> sb.append(key || i == 0 ? "\\ " : " ");
        default -> {
          if (c > 0xff) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      p.load(r);
    }
    return p;
  }

  private static int parsePort(Path file, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": port " + value + " is not a number");
    }
  }
}
