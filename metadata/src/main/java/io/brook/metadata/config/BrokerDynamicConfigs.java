package io.brook.metadata.config;

import io.brook.metadata.config.TopicConfig.BrokerKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The broker configs that can be changed without a restart, per broker ({@code
 * /config/brokers/<id>}) or for every broker ({@code /config/brokers/<default>}), with their types
 * and validation; and the static broker keys that are refused. Stateless and thread-safe.
 *
 * <p>Precedence of a broker key's value: {@code /config/brokers/<id>} > {@code
 * /config/brokers/<default>} > the broker's server.properties > the built-in default.
 *
 * <p>Dynamic keys:
 *
 * <ul>
 *   <li>{@code leader.replication.throttled.rate}, {@code follower.replication.throttled.rate}:
 *       LONG bytes/s >= 0, default {@link Long#MAX_VALUE} (unlimited);
 *   <li>every broker-level default of a topic config ({@code log.retention.ms}, {@code
 *       log.retention.minutes}, {@code log.retention.hours}, {@code log.retention.bytes}, {@code
 *       log.segment.bytes}, {@code log.roll.ms}, {@code log.roll.hours}, {@code
 *       log.roll.jitter.ms}, {@code log.roll.jitter.hours}, {@code message.max.bytes}, {@code
 *       min.insync.replicas}, {@code log.flush.interval.messages}, {@code log.flush.interval.ms},
 *       {@code log.index.interval.bytes}, {@code log.index.size.max.bytes}, {@code
 *       log.message.timestamp.type}, {@code log.cleanup.policy}, {@code
 *       unclean.leader.election.enable}, {@code compression.type}, {@code
 *       log.segment.delete.delay.ms}, {@code log.cleaner.min.cleanable.ratio}, {@code
 *       log.cleaner.delete.retention.ms}, {@code log.cleaner.min.compaction.lag.ms}, {@code
 *       log.cleaner.max.compaction.lag.ms}), validated as the topic-level config they feed (see
 *       {@link TopicConfigs}); they apply to every log of the broker without a topic override.
 * </ul>
 */
public final class BrokerDynamicConfigs {
  public static final String LEADER_REPLICATION_THROTTLED_RATE =
      "leader.replication.throttled.rate";
  public static final String FOLLOWER_REPLICATION_THROTTLED_RATE =
      "follower.replication.throttled.rate";

  /** The default of both throttle rates: unlimited. */
  public static final long UNLIMITED_RATE = Long.MAX_VALUE;

  /** A dynamic broker key: its type, built-in default, and the topic config it feeds (if any). */
  public record Def(String name, ConfigType type, String defaultValue, String topicConfig) {}

  /** Broker keys that exist but need a restart (refused by IncrementalAlterConfigs). */
  private static final Set<String> STATIC =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  "broker.id",
                  "listeners",
                  "advertised.listeners",
                  "log.dirs",
                  "log.dir",
                  "zookeeper.connect",
                  "zookeeper.session.timeout.ms",
                  "zookeeper.connection.timeout.ms",
                  "num.partitions",
                  "default.replication.factor",
                  "auto.create.topics.enable",
                  "socket.request.max.bytes",
                  "request.timeout.ms",
                  "controller.candidate",
                  "broker.rack",
                  "num.io.threads",
                  "num.network.threads",
                  "num.recovery.threads.per.data.dir",
                  "log.retention.check.interval.ms",
                  "log.flush.scheduler.interval.ms",
                  "log.flush.offset.checkpoint.interval.ms",
                  "log.flush.start.offset.checkpoint.interval.ms",
                  "producer.id.expiration.check.interval.ms",
                  "controlled.shutdown.retry.backoff.ms",
                  "producer.id.expiration.ms",
                  "replica.lag.time.max.ms",
                  "replica.fetch.wait.max.ms",
                  "replica.fetch.min.bytes",
                  "replica.fetch.max.bytes",
                  "replica.fetch.response.max.bytes",
                  "replica.fetch.backoff.ms",
                  "replica.socket.timeout.ms",
                  "replica.high.watermark.checkpoint.interval.ms",
                  "retry.backoff.ms",
                  "group.min.session.timeout.ms",
                  "group.max.session.timeout.ms",
                  "group.initial.rebalance.delay.ms",
                  "group.max.size",
                  "offsets.topic.replication.factor",
                  "offsets.topic.num.partitions",
                  "offsets.topic.segment.bytes",
                  "offsets.retention.minutes",
                  "offsets.retention.check.interval.ms",
                  "offsets.commit.timeout.ms",
                  "offset.metadata.max.bytes",
                  "offsets.load.buffer.size",
                  "log.cleaner.enable",
                  "log.cleaner.threads",
                  "log.cleaner.backoff.ms",
                  "log.cleaner.dedupe.buffer.size",
                  "log.cleaner.io.buffer.size",
                  "controlled.shutdown.enable",
                  "controlled.shutdown.max.retries",
                  "auto.leader.rebalance.enable",
                  "leader.imbalance.per.broker.percentage",
                  "leader.imbalance.check.interval.seconds",
                  "metrics.port")));

  private static final Map<String, Def> DYNAMIC = define();

  private BrokerDynamicConfigs() {}

  private static Map<String, Def> define() {
    Map<String, Def> m = new LinkedHashMap<>();
    m.put(
        LEADER_REPLICATION_THROTTLED_RATE,
        new Def(
            LEADER_REPLICATION_THROTTLED_RATE,
            ConfigType.LONG,
            Long.toString(UNLIMITED_RATE),
            null));
    m.put(
        FOLLOWER_REPLICATION_THROTTLED_RATE,
        new Def(
            FOLLOWER_REPLICATION_THROTTLED_RATE,
            ConfigType.LONG,
            Long.toString(UNLIMITED_RATE),
            null));
    for (TopicConfig t : TopicConfigs.all()) {
      for (BrokerKey k : t.brokerKeys()) {
        m.putIfAbsent(k.key(), new Def(k.key(), k.type(), null, t.name()));
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /** Every dynamic key, throttle rates first, then the topic defaults in TopicConfigs' order. */
  public static Map<String, Def> all() {
    return DYNAMIC;
  }

  public static Optional<Def> get(String key) {
    return Optional.ofNullable(DYNAMIC.get(key));
  }

  public static boolean isDynamic(String key) {
    return DYNAMIC.containsKey(key);
  }

  /** A known broker key that needs a restart. */
  public static boolean isStatic(String key) {
    return STATIC.contains(key);
  }

  /** The broker keys that feed topic-level defaults (a change re-applies log configs). */
  public static boolean isTopicDefault(String key) {
    Def d = DYNAMIC.get(key);
    return d != null && d.topicConfig() != null;
  }

  /**
   * Normalizes one dynamic value.
   *
   * @return the canonical value
   * @throws IllegalArgumentException {@code Unknown broker config 'x'}, {@code Cannot update these
   *     configs dynamically: [x]}, or {@code Invalid value v for configuration k: reason}
   */
  public static String parse(String key, String value) {
    Def d = DYNAMIC.get(key);
    if (d == null) {
      throw new IllegalArgumentException(
          STATIC.contains(key)
              ? "Cannot update these configs dynamically: [" + key + "]"
              : "Unknown broker config '" + key + "'");
    }
    if (value == null) {
      throw new IllegalArgumentException(
          "Invalid value null for configuration " + key + ": Value must not be null");
    }
    if (d.topicConfig() == null) {
      String v;
      try {
        v = d.type().normalize(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Invalid value " + value + " for configuration " + key + ": " + e.getMessage());
      }
      if (Long.parseLong(v) < 0) {
        throw new IllegalArgumentException(
            "Invalid value " + value + " for configuration " + key + ": Value must be at least 0");
      }
      return v;
    }
    TopicConfig t = TopicConfigs.get(d.topicConfig()).orElseThrow();
    // Validated as the topic-level value it becomes (unit conversion, range).
    TopicConfigs.brokerDefault(t, Map.of(key, value));
    return d.type().normalize(value);
  }

  /**
   * Validates a whole dynamic config (e.g. the content a change would write).
   *
   * @return the error messages, sorted; the static keys are reported together as {@code Cannot
   *     update these configs dynamically: [a, b]}
   */
  public static List<String> validate(Map<String, String> config) {
    List<String> errors = new ArrayList<>();
    List<String> statics = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      if (STATIC.contains(e.getKey())) {
        statics.add(e.getKey());
        continue;
      }
      try {
        parse(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        errors.add(ex.getMessage());
      }
    }
    if (!statics.isEmpty()) {
      errors.add(0, "Cannot update these configs dynamically: " + statics);
    }
    return errors;
  }

  /**
   * The layered broker properties: {@code staticProps} overlaid with the cluster default, then the
   * per-broker config (per-broker > default > static).
   */
  public static Map<String, String> layered(
      Map<String, String> staticProps,
      Map<String, String> clusterDefault,
      Map<String, String> perBroker) {
    Map<String, String> m = new TreeMap<>(staticProps);
    m.putAll(clusterDefault);
    m.putAll(perBroker);
    return m;
  }

  /** A throttle rate from layered properties; {@link #UNLIMITED_RATE} when unset or invalid. */
  public static long rate(Map<String, String> layered, String key) {
    String v = layered.get(key);
    if (v == null) {
      return UNLIMITED_RATE;
    }
    try {
      long r = Long.parseLong(v.trim());
      return r < 0 ? UNLIMITED_RATE : r;
    } catch (NumberFormatException e) {
      return UNLIMITED_RATE;
    }
  }
}
