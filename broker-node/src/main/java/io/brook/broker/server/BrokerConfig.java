package io.brook.broker.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The broker's static configuration, with Kafka's names. Built once from a properties file plus
 * {@code --override k=v} pairs; every value is parsed and checked at construction, so a bad value
 * fails the start with a message naming the key ({@link ConfigException}). Unknown keys are logged
 * as warnings and kept (they still reach {@link #originals()}).
 *
 * <p>The broker-level defaults of topic configs ({@code log.retention.ms}, {@code
 * log.segment.bytes}, {@code message.max.bytes}, {@code min.insync.replicas}, ...) are checked for
 * their type here; the mapping to topic-level names is {@code TopicConfigs}' job.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerConfig {
  private static final Logger log = LogManager.getLogger(BrokerConfig.class);

  public static final String BROKER_ID = "broker.id";
  public static final String LISTENERS = "listeners";
  public static final String ADVERTISED_LISTENERS = "advertised.listeners";
  public static final String LOG_DIRS = "log.dirs";
  public static final String LOG_DIR = "log.dir";
  public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
  public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
  public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
  public static final String NUM_PARTITIONS = "num.partitions";
  public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
  public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
  public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
  public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
  public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
  public static final String CONTROLLER_CANDIDATE = "controller.candidate";
  public static final String BROKER_RACK = "broker.rack";
  public static final String NUM_IO_THREADS = "num.io.threads";
  public static final String NUM_NETWORK_THREADS = "num.network.threads";
  public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR =
      "num.recovery.threads.per.data.dir";
  public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
  public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
  public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS =
      "log.flush.offset.checkpoint.interval.ms";
  public static final String LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS =
      "log.flush.start.offset.checkpoint.interval.ms";
  public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
  public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS =
      "producer.id.expiration.check.interval.ms";
  public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
  public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
  public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
  public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
  public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
  public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
  public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";
  public static final String REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS =
      "replica.high.watermark.checkpoint.interval.ms";
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";

  // Group coordinator and __consumer_offsets (Kafka's names and defaults).
  public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
  public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
  public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
  public static final String GROUP_MAX_SIZE = "group.max.size";
  public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
  public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
  public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
  public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
  public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS =
      "offsets.retention.check.interval.ms";
  public static final String OFFSETS_COMMIT_TIMEOUT_MS = "offsets.commit.timeout.ms";
  public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
  public static final String OFFSETS_LOAD_BUFFER_SIZE = "offsets.load.buffer.size";

  // The log cleaner (compaction of cleanup.policy=compact topics).
  public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
  public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
  public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
  public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
  public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
  // Controlled shutdown (Kafka's names and defaults).
  public static final String CONTROLLED_SHUTDOWN_ENABLE = "controlled.shutdown.enable";
  public static final String CONTROLLED_SHUTDOWN_MAX_RETRIES = "controlled.shutdown.max.retries";
  // Replication throttle rates (bytes/s); usually set dynamically (/config/brokers/<id>).
  public static final String LEADER_REPLICATION_THROTTLED_RATE =
      "leader.replication.throttled.rate";
  public static final String FOLLOWER_REPLICATION_THROTTLED_RATE =
      "follower.replication.throttled.rate";
  public static final String CONTROLLED_SHUTDOWN_RETRY_BACKOFF_MS =
      "controlled.shutdown.retry.backoff.ms";
  // Automatic preferred-leader rebalance (read by the controller, ControllerConfig).
  public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
  public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE =
      "leader.imbalance.per.broker.percentage";
  public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS =
      "leader.imbalance.check.interval.seconds";

  /**
   * The HTTP port of {@code /metrics} (Prometheus) and {@code /health}, on the listener's host: -1
   * (the default) serves none, 0 an OS-chosen port (logged: "Metrics served on http://...").
   */
  public static final String METRICS_PORT = "metrics.port";

  private enum Type {
    INT,
    LONG,
    BOOLEAN,
    DOUBLE,
    STRING
  }

  private record Def(
      String name, Type type, String defaultValue, Predicate<Object> ok, String rule) {}

  private static final Map<String, Def> DEFS = new LinkedHashMap<>();

  private static void define(String name, Type type, String dflt) {
    define(name, type, dflt, v -> true, "");
  }

  private static void define(
      String name, Type type, String dflt, Predicate<Object> ok, String rule) {
    DEFS.put(name, new Def(name, type, dflt, ok, rule));
  }

  private static Predicate<Object> atLeast(long min) {
    return v -> ((Number) v).longValue() >= min;
  }

  static {
    int cores = Runtime.getRuntime().availableProcessors();
    define(BROKER_ID, Type.INT, null, atLeast(0), "must be at least 0");
    define(LISTENERS, Type.STRING, "PLAINTEXT://:9092");
    define(
        METRICS_PORT,
        Type.INT,
        "-1",
        v -> (Integer) v >= -1 && (Integer) v <= 65535,
        "must be -1 (off), 0 (any free port) or a port number");
    define(ADVERTISED_LISTENERS, Type.STRING, null);
    define(LOG_DIRS, Type.STRING, null);
    define(LOG_DIR, Type.STRING, "/tmp/brook-logs");
    define(ZOOKEEPER_CONNECT, Type.STRING, null);
    define(ZOOKEEPER_SESSION_TIMEOUT_MS, Type.INT, "18000", atLeast(1), "must be positive");
    define(ZOOKEEPER_CONNECTION_TIMEOUT_MS, Type.INT, null, atLeast(1), "must be positive");
    define(NUM_PARTITIONS, Type.INT, "1", atLeast(1), "must be at least 1");
    define(DEFAULT_REPLICATION_FACTOR, Type.INT, "1", atLeast(1), "must be at least 1");
    define(MIN_INSYNC_REPLICAS, Type.INT, "1", atLeast(1), "must be at least 1");
    define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, "true");
    define(MESSAGE_MAX_BYTES, Type.INT, "1048588", atLeast(0), "must not be negative");
    define(SOCKET_REQUEST_MAX_BYTES, Type.INT, "104857600", atLeast(1), "must be positive");
    define(REQUEST_TIMEOUT_MS, Type.INT, "30000", atLeast(1), "must be positive");
    define(CONTROLLER_CANDIDATE, Type.BOOLEAN, "true");
    define(BROKER_RACK, Type.STRING, null);
    // Request handling never blocks on a wait (waits are futures), so about two threads per core
    // are enough; the benchmark machine has two cores.
    define(NUM_IO_THREADS, Type.INT, String.valueOf(Math.max(2, 2 * cores)), atLeast(1), "");
    define(NUM_NETWORK_THREADS, Type.INT, String.valueOf(Math.max(1, cores)), atLeast(1), "");
    define(NUM_RECOVERY_THREADS_PER_DATA_DIR, Type.INT, "1", atLeast(1), "must be at least 1");
    define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, "300000", atLeast(1), "must be positive");
    define(
        LOG_FLUSH_SCHEDULER_INTERVAL_MS,
        Type.LONG,
        String.valueOf(Long.MAX_VALUE),
        atLeast(1),
        "must be positive");
    define(
        LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, Type.INT, "60000", atLeast(1), "must be positive");
    define(
        LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS,
        Type.INT,
        "60000",
        atLeast(1),
        "must be positive");
    define(PRODUCER_ID_EXPIRATION_MS, Type.LONG, "86400000", atLeast(1), "must be positive");
    define(
        PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
        Type.LONG,
        "600000",
        atLeast(1),
        "must be positive");
    define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, "30000", atLeast(1), "must be positive");
    define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, "500", atLeast(0), "must not be negative");
    define(REPLICA_FETCH_MIN_BYTES, Type.INT, "1", atLeast(1), "must be positive");
    define(REPLICA_FETCH_MAX_BYTES, Type.INT, "1048576", atLeast(0), "must not be negative");
    define(
        REPLICA_FETCH_RESPONSE_MAX_BYTES, Type.INT, "10485760", atLeast(0), "must not be negative");
    define(REPLICA_FETCH_BACKOFF_MS, Type.INT, "1000", atLeast(0), "must not be negative");
    define(REPLICA_SOCKET_TIMEOUT_MS, Type.INT, "30000", atLeast(1), "must be positive");
    define(
        REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
        Type.LONG,
        "5000",
        atLeast(1),
        "must be positive");
    define(RETRY_BACKOFF_MS, Type.LONG, "100", atLeast(1), "must be positive");
    define(CONTROLLED_SHUTDOWN_ENABLE, Type.BOOLEAN, "true");
    define(CONTROLLED_SHUTDOWN_MAX_RETRIES, Type.INT, "3", atLeast(0), "must not be negative");
    define(
        LEADER_REPLICATION_THROTTLED_RATE,
        Type.LONG,
        Long.toString(Long.MAX_VALUE),
        atLeast(0),
        "must not be negative");
    define(
        FOLLOWER_REPLICATION_THROTTLED_RATE,
        Type.LONG,
        Long.toString(Long.MAX_VALUE),
        atLeast(0),
        "must not be negative");
    define(
        CONTROLLED_SHUTDOWN_RETRY_BACKOFF_MS,
        Type.LONG,
        "5000",
        atLeast(0),
        "must not be negative");
    define(AUTO_LEADER_REBALANCE_ENABLE, Type.BOOLEAN, "true");
    define(
        LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
        Type.INT,
        "10",
        v -> ((Number) v).intValue() >= 0 && ((Number) v).intValue() <= 100,
        "must be between 0 and 100");
    define(
        LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
        Type.LONG,
        "300",
        v -> ((Number) v).longValue() >= 1 && ((Number) v).longValue() <= Long.MAX_VALUE / 1000,
        "must be at least 1");

    define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, "6000", atLeast(0), "must not be negative");
    define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, "1800000", atLeast(0), "must not be negative");
    define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, "3000", atLeast(0), "must not be negative");
    define(
        GROUP_MAX_SIZE,
        Type.INT,
        String.valueOf(Integer.MAX_VALUE),
        atLeast(1),
        "must be positive");
    define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.INT, "3", atLeast(1), "must be positive");
    define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, "50", atLeast(1), "must be positive");
    define(OFFSETS_TOPIC_SEGMENT_BYTES, Type.INT, "104857600", atLeast(14), "must be at least 14");
    define(OFFSETS_RETENTION_MINUTES, Type.INT, "10080", atLeast(1), "must be positive");
    define(
        OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, "600000", atLeast(1), "must be positive");
    define(OFFSETS_COMMIT_TIMEOUT_MS, Type.INT, "5000", atLeast(1), "must be positive");
    define(OFFSET_METADATA_MAX_BYTES, Type.INT, "4096", atLeast(0), "must not be negative");
    define(OFFSETS_LOAD_BUFFER_SIZE, Type.INT, "5242880", atLeast(1), "must be positive");
    define(LOG_CLEANER_ENABLE, Type.BOOLEAN, "true");
    define(LOG_CLEANER_THREADS, Type.INT, "1", atLeast(0), "must not be negative");
    define(LOG_CLEANER_BACKOFF_MS, Type.LONG, "15000", atLeast(0), "must not be negative");
    define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Type.LONG, "134217728", atLeast(1), "must be positive");
    define(LOG_CLEANER_IO_BUFFER_SIZE, Type.INT, "524288", atLeast(1), "must be positive");
    define(
        "log.cleaner.min.cleanable.ratio",
        Type.DOUBLE,
        "0.5",
        v -> ((Double) v) >= 0 && ((Double) v) <= 1,
        "must be between 0 and 1");
    define(
        "log.cleaner.delete.retention.ms",
        Type.LONG,
        "86400000",
        atLeast(0),
        "must not be negative");
    define("log.cleaner.min.compaction.lag.ms", Type.LONG, "0", atLeast(0), "must not be negative");
    define(
        "log.cleaner.max.compaction.lag.ms",
        Type.LONG,
        String.valueOf(Long.MAX_VALUE),
        atLeast(1),
        "must be positive");

    // Broker-level defaults of topic configs (TopicConfigs maps them to topic-level names).
    define("log.retention.ms", Type.LONG, null, atLeast(-1), "must be -1 or more");
    define("log.retention.minutes", Type.INT, null, atLeast(-1), "must be -1 or more");
    define("log.retention.hours", Type.INT, "168", atLeast(-1), "must be -1 or more");
    define("log.retention.bytes", Type.LONG, "-1", atLeast(-1), "must be -1 or more");
    define("log.segment.bytes", Type.INT, "1073741824", atLeast(14), "must be at least 14");
    define("log.roll.ms", Type.LONG, null, atLeast(1), "must be positive");
    define("log.roll.hours", Type.INT, "168", atLeast(1), "must be positive");
    define("log.roll.jitter.ms", Type.LONG, null, atLeast(0), "must not be negative");
    define("log.flush.interval.messages", Type.LONG, null, atLeast(1), "must be positive");
    define("log.flush.interval.ms", Type.LONG, null, atLeast(0), "must not be negative");
    define("log.index.interval.bytes", Type.INT, "4096", atLeast(0), "must not be negative");
    define("log.index.size.max.bytes", Type.INT, "10485760", atLeast(4), "must be at least 4");
    define(
        "log.message.timestamp.type",
        Type.STRING,
        "CreateTime",
        v -> v.equals("CreateTime") || v.equals("LogAppendTime"),
        "must be CreateTime or LogAppendTime");
    define(
        "log.cleanup.policy",
        Type.STRING,
        "delete",
        v -> Set.of("delete", "compact", "compact,delete", "delete,compact").contains(v),
        "must be delete, compact or both");
    define("log.segment.delete.delay.ms", Type.LONG, "60000", atLeast(0), "must not be negative");
    define("unclean.leader.election.enable", Type.BOOLEAN, "false");
    define(
        "compression.type",
        Type.STRING,
        "producer",
        v -> v.equals("producer"),
        "Brook never re-encodes batches, so only \"producer\" is accepted");
  }

  private final Map<String, String> originals;
  private final Map<String, Object> values;
  private final Listener listener;
  private final Listener advertisedListener;
  private final List<Path> logDirs;

  /** A listener: {@code PLAINTEXT://host:port}; an empty host means every interface. */
  public record Listener(String host, int port) {
    static Listener parse(String key, String spec) {
      String first = spec.split(",")[0].trim();
      int sep = first.indexOf("://");
      if (sep < 0) {
        throw new ConfigException(key, spec, "expected PLAINTEXT://host:port");
      }
      String protocol = first.substring(0, sep);
      if (!protocol.equalsIgnoreCase("PLAINTEXT")) {
        throw new ConfigException(key, spec, "only PLAINTEXT listeners are supported");
      }
      String hostPort = first.substring(sep + 3);
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new ConfigException(key, spec, "expected PLAINTEXT://host:port");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new ConfigException(key, spec, "the port is not a number");
      }
      if (port < 0 || port > 65535) {
        throw new ConfigException(key, spec, "the port must be between 0 and 65535");
      }
      return new Listener(host, port);
    }
  }

  public BrokerConfig(Map<String, String> props) {
    Map<String, String> trimmed = new TreeMap<>();
    props.forEach((k, v) -> trimmed.put(k.trim(), v == null ? null : v.trim()));
    this.originals = Collections.unmodifiableMap(trimmed);
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (Def def : DEFS.values()) {
      String raw = trimmed.get(def.name);
      if (raw == null || raw.isEmpty()) {
        raw = def.defaultValue;
      }
      if (raw == null) {
        parsed.put(def.name, null);
        continue;
      }
      Object v = parse(def, raw);
      if (!def.ok.test(v)) {
        throw new ConfigException(def.name, raw, def.rule);
      }
      parsed.put(def.name, v);
    }
    for (String key : trimmed.keySet()) {
      if (!DEFS.containsKey(key)) {
        log.warn("Unknown broker configuration {} (ignored)", key);
      }
    }
    this.values = parsed;
    if (parsed.get(BROKER_ID) == null) {
      throw new ConfigException("Missing required configuration " + BROKER_ID);
    }
    if (parsed.get(ZOOKEEPER_CONNECT) == null) {
      throw new ConfigException(
          "Missing required configuration "
              + ZOOKEEPER_CONNECT
              + " (host:port[,host:port...][/chroot])");
    }
    this.listener = Listener.parse(LISTENERS, getString(LISTENERS));
    String adv = getString(ADVERTISED_LISTENERS);
    this.advertisedListener = adv == null ? listener : Listener.parse(ADVERTISED_LISTENERS, adv);
    String dirs = getString(LOG_DIRS) != null ? getString(LOG_DIRS) : getString(LOG_DIR);
    List<Path> paths = new ArrayList<>();
    for (String d : dirs.split(",")) {
      if (!d.isBlank()) {
        paths.add(Path.of(d.trim()));
      }
    }
    if (paths.isEmpty()) {
      throw new ConfigException(LOG_DIRS, dirs, "no log directory given");
    }
    if (paths.stream().distinct().count() != paths.size()) {
      throw new ConfigException(LOG_DIRS, dirs, "a directory is listed twice");
    }
    this.logDirs = List.copyOf(paths);
  }

  /** Reads a properties file, then applies {@code overrides} over it. */
  public static BrokerConfig fromFile(Path file, Map<String, String> overrides) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, String> m = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    m.putAll(overrides);
    return new BrokerConfig(m);
  }

  private static Object parse(Def def, String raw) {
    try {
      return switch (def.type) {
        case INT -> Integer.parseInt(raw);
        case LONG -> Long.parseLong(raw);
        case BOOLEAN -> {
          String b = raw.toLowerCase(Locale.ROOT);
          if (!b.equals("true") && !b.equals("false")) {
            throw new ConfigException(def.name, raw, "expected true or false");
          }
          yield Boolean.parseBoolean(b);
        }
        case DOUBLE -> Double.parseDouble(raw);
        case STRING -> raw;
      };
    } catch (NumberFormatException e) {
      throw new ConfigException(
          def.name,
          raw,
          "expected "
              + switch (def.type) {
                case INT -> "an integer";
                case DOUBLE -> "a number";
                default -> "a long integer";
              });
    }
  }

  /** Every key with its effective value (explicit or default); null values omitted. */
  public Map<String, String> effectiveValues() {
    Map<String, String> m = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (v != null) {
            m.put(k, String.valueOf(v));
          }
        });
    return m;
  }

  /** True when {@code key} was set in the file or by an override. */
  public boolean isExplicit(String key) {
    return originals.containsKey(key);
  }

  /** The configuration as given (file + overrides), unknown keys included. */
  public Map<String, String> originals() {
    return originals;
  }

  public int getInt(String key) {
    return (Integer) values.get(key);
  }

  public long getLong(String key) {
    return (Long) values.get(key);
  }

  public boolean getBoolean(String key) {
    return (Boolean) values.get(key);
  }

  public double getDouble(String key) {
    return (Double) values.get(key);
  }

  public String getString(String key) {
    return (String) values.get(key);
  }

  public int brokerId() {
    return getInt(BROKER_ID);
  }

  public Listener listener() {
    return listener;
  }

  public Listener advertisedListener() {
    return advertisedListener;
  }

  public List<Path> logDirs() {
    return logDirs;
  }

  public String zookeeperConnect() {
    return getString(ZOOKEEPER_CONNECT);
  }

  public int zookeeperSessionTimeoutMs() {
    return getInt(ZOOKEEPER_SESSION_TIMEOUT_MS);
  }

  public int zookeeperConnectionTimeoutMs() {
    Object v = values.get(ZOOKEEPER_CONNECTION_TIMEOUT_MS);
    return v == null ? zookeeperSessionTimeoutMs() : (Integer) v;
  }

  public int numPartitions() {
    return getInt(NUM_PARTITIONS);
  }

  public int defaultReplicationFactor() {
    return getInt(DEFAULT_REPLICATION_FACTOR);
  }

  public boolean autoCreateTopicsEnable() {
    return getBoolean(AUTO_CREATE_TOPICS_ENABLE);
  }

  public int socketRequestMaxBytes() {
    return getInt(SOCKET_REQUEST_MAX_BYTES);
  }

  public int requestTimeoutMs() {
    return getInt(REQUEST_TIMEOUT_MS);
  }

  public boolean controllerCandidate() {
    return getBoolean(CONTROLLER_CANDIDATE);
  }

  public String rack() {
    return getString(BROKER_RACK);
  }

  public int numIoThreads() {
    return getInt(NUM_IO_THREADS);
  }

  public int numNetworkThreads() {
    return getInt(NUM_NETWORK_THREADS);
  }

  @Override
  public String toString() {
    return "BrokerConfig" + effectiveValues();
  }
}
