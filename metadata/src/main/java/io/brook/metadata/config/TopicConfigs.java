package io.brook.metadata.config;

import static io.brook.metadata.config.TopicConfig.BrokerKey.same;
import static io.brook.metadata.config.TopicConfig.BrokerKey.scaled;

import io.brook.metadata.config.TopicConfig.BrokerKey;
import io.brook.metadata.config.TopicConfig.Validator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one definition of every topic-level config, with Kafka's names, defaults and broker-level
 * default keys. Stateless and thread-safe.
 *
 * <p>The effective value of a topic config is, in order: the topic's override (from {@code
 * /config/topics/<t>}), else the first broker-level key present in the broker's properties
 * (converted to the topic-level unit), else the default below.
 *
 * <table>
 *   <caption>Topic-level configs</caption>
 *   <tr><th>topic-level name</th><th>type</th><th>default</th><th>broker-level keys</th></tr>
 *   <tr><td>retention.ms</td><td>LONG >= -1</td><td>604800000</td>
 *       <td>log.retention.ms, log.retention.minutes, log.retention.hours</td></tr>
 *   <tr><td>retention.bytes</td><td>LONG</td><td>-1</td><td>log.retention.bytes</td></tr>
 *   <tr><td>segment.bytes</td><td>INT >= 14</td><td>1073741824</td><td>log.segment.bytes</td></tr>
 *   <tr><td>segment.ms</td><td>LONG >= 1</td><td>604800000</td><td>log.roll.ms, log.roll.hours</td></tr>
 *   <tr><td>segment.jitter.ms</td><td>LONG >= 0</td><td>0</td>
 *       <td>log.roll.jitter.ms, log.roll.jitter.hours</td></tr>
 *   <tr><td>max.message.bytes</td><td>INT >= 0</td><td>1048588</td><td>message.max.bytes</td></tr>
 *   <tr><td>min.insync.replicas</td><td>INT >= 1</td><td>1</td><td>min.insync.replicas</td></tr>
 *   <tr><td>flush.messages</td><td>LONG >= 1</td><td>9223372036854775807</td>
 *       <td>log.flush.interval.messages</td></tr>
 *   <tr><td>flush.ms</td><td>LONG >= 0</td><td>9223372036854775807</td>
 *       <td>log.flush.interval.ms</td></tr>
 *   <tr><td>index.interval.bytes</td><td>INT >= 0</td><td>4096</td><td>log.index.interval.bytes</td></tr>
 *   <tr><td>segment.index.bytes</td><td>INT >= 4</td><td>10485760</td><td>log.index.size.max.bytes</td></tr>
 *   <tr><td>message.timestamp.type</td><td>CreateTime | LogAppendTime</td><td>CreateTime</td>
 *       <td>log.message.timestamp.type</td></tr>
 *   <tr><td>cleanup.policy</td><td>LIST of delete, compact</td><td>delete</td><td>log.cleanup.policy</td></tr>
 *   <tr><td>unclean.leader.election.enable</td><td>BOOLEAN</td><td>false</td>
 *       <td>unclean.leader.election.enable</td></tr>
 *   <tr><td>compression.type</td><td>producer (Brook never re-encodes batches)</td><td>producer</td>
 *       <td>compression.type</td></tr>
 *   <tr><td>file.delete.delay.ms</td><td>LONG >= 0</td><td>60000</td><td>log.segment.delete.delay.ms</td></tr>
 *   <tr><td>min.cleanable.dirty.ratio</td><td>DOUBLE in [0, 1]</td><td>0.5</td>
 *       <td>log.cleaner.min.cleanable.ratio</td></tr>
 *   <tr><td>delete.retention.ms</td><td>LONG >= 0</td><td>86400000</td>
 *       <td>log.cleaner.delete.retention.ms</td></tr>
 *   <tr><td>min.compaction.lag.ms</td><td>LONG >= 0</td><td>0</td>
 *       <td>log.cleaner.min.compaction.lag.ms</td></tr>
 *   <tr><td>max.compaction.lag.ms</td><td>LONG >= 1</td><td>9223372036854775807</td>
 *       <td>log.cleaner.max.compaction.lag.ms</td></tr>
 *   <tr><td>leader.replication.throttled.replicas</td><td>LIST of partition:brokerId, or *</td>
 *       <td>(empty)</td><td>-</td></tr>
 *   <tr><td>follower.replication.throttled.replicas</td><td>LIST of partition:brokerId, or *</td>
 *       <td>(empty)</td><td>-</td></tr>
 * </table>
 */
public final class TopicConfigs {
  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String SEGMENT_MS = "segment.ms";
  public static final String SEGMENT_JITTER_MS = "segment.jitter.ms";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  public static final String MIN_IN_SYNC_REPLICAS = "min.insync.replicas";
  public static final String FLUSH_MESSAGES = "flush.messages";
  public static final String FLUSH_MS = "flush.ms";
  public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
  public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
  public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
  public static final String CLEANUP_POLICY = "cleanup.policy";
  public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
  public static final String COMPRESSION_TYPE = "compression.type";
  public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
  public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
  public static final String DELETE_RETENTION_MS = "delete.retention.ms";
  public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
  public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
  public static final String LEADER_REPLICATION_THROTTLED_REPLICAS =
      "leader.replication.throttled.replicas";
  public static final String FOLLOWER_REPLICATION_THROTTLED_REPLICAS =
      "follower.replication.throttled.replicas";

  private static final long HOUR_MS = 3_600_000L;
  private static final long MINUTE_MS = 60_000L;

  private static final Map<String, TopicConfig> CONFIGS = define();

  private TopicConfigs() {}

  private static Map<String, TopicConfig> define() {
    List<TopicConfig> all = new ArrayList<>();
    all.add(
        new TopicConfig(
            RETENTION_MS,
            ConfigType.LONG,
            "604800000",
            atLeast(-1),
            List.of(
                same("log.retention.ms", ConfigType.LONG),
                scaled("log.retention.minutes", MINUTE_MS),
                scaled("log.retention.hours", HOUR_MS)),
            "How long to keep a segment before deleting it; -1 for no time limit."));
    all.add(
        new TopicConfig(
            RETENTION_BYTES,
            ConfigType.LONG,
            "-1",
            Validator.NONE,
            List.of(same("log.retention.bytes", ConfigType.LONG)),
            "The size a partition may grow to before old segments are deleted; -1 for no limit."));
    all.add(
        new TopicConfig(
            SEGMENT_BYTES,
            ConfigType.INT,
            "1073741824",
            atLeast(14),
            List.of(same("log.segment.bytes", ConfigType.INT)),
            "The size of a segment file."));
    all.add(
        new TopicConfig(
            SEGMENT_MS,
            ConfigType.LONG,
            "604800000",
            atLeast(1),
            List.of(same("log.roll.ms", ConfigType.LONG), scaled("log.roll.hours", HOUR_MS)),
            "Roll a segment after this long even if it is not full."));
    all.add(
        new TopicConfig(
            SEGMENT_JITTER_MS,
            ConfigType.LONG,
            "0",
            atLeast(0),
            List.of(
                same("log.roll.jitter.ms", ConfigType.LONG),
                scaled("log.roll.jitter.hours", HOUR_MS)),
            "The maximum random jitter subtracted from segment.ms."));
    all.add(
        new TopicConfig(
            MAX_MESSAGE_BYTES,
            ConfigType.INT,
            "1048588",
            atLeast(0),
            List.of(same("message.max.bytes", ConfigType.INT)),
            "The largest record batch size allowed."));
    all.add(
        new TopicConfig(
            MIN_IN_SYNC_REPLICAS,
            ConfigType.INT,
            "1",
            atLeast(1),
            List.of(same("min.insync.replicas", ConfigType.INT)),
            "The minimum ISR size for acks=all writes."));
    all.add(
        new TopicConfig(
            FLUSH_MESSAGES,
            ConfigType.LONG,
            Long.toString(Long.MAX_VALUE),
            atLeast(1),
            List.of(same("log.flush.interval.messages", ConfigType.LONG)),
            "Force an fsync after this many messages."));
    all.add(
        new TopicConfig(
            FLUSH_MS,
            ConfigType.LONG,
            Long.toString(Long.MAX_VALUE),
            atLeast(0),
            List.of(same("log.flush.interval.ms", ConfigType.LONG)),
            "Force an fsync after this long."));
    all.add(
        new TopicConfig(
            INDEX_INTERVAL_BYTES,
            ConfigType.INT,
            "4096",
            atLeast(0),
            List.of(same("log.index.interval.bytes", ConfigType.INT)),
            "Bytes between offset index entries."));
    all.add(
        new TopicConfig(
            SEGMENT_INDEX_BYTES,
            ConfigType.INT,
            "10485760",
            atLeast(4),
            List.of(same("log.index.size.max.bytes", ConfigType.INT)),
            "The size of the offset index of a segment."));
    all.add(
        new TopicConfig(
            MESSAGE_TIMESTAMP_TYPE,
            ConfigType.STRING,
            "CreateTime",
            oneOf("CreateTime", "LogAppendTime"),
            List.of(same("log.message.timestamp.type", ConfigType.STRING)),
            "Whether record timestamps are the producer's or the broker's append time."));
    all.add(
        new TopicConfig(
            CLEANUP_POLICY,
            ConfigType.LIST,
            "delete",
            listOf("delete", "compact"),
            List.of(same("log.cleanup.policy", ConfigType.LIST)),
            "delete and/or compact."));
    all.add(
        new TopicConfig(
            UNCLEAN_LEADER_ELECTION_ENABLE,
            ConfigType.BOOLEAN,
            "false",
            Validator.NONE,
            List.of(same("unclean.leader.election.enable", ConfigType.BOOLEAN)),
            "Whether a replica outside the ISR may become leader (data loss)."));
    all.add(
        new TopicConfig(
            COMPRESSION_TYPE,
            ConfigType.STRING,
            "producer",
            oneOf("producer"),
            List.of(same("compression.type", ConfigType.STRING)),
            "Only producer: Brook stores batches as the producer compressed them."));
    all.add(
        new TopicConfig(
            FILE_DELETE_DELAY_MS,
            ConfigType.LONG,
            "60000",
            atLeast(0),
            List.of(same("log.segment.delete.delay.ms", ConfigType.LONG)),
            "How long a deleted segment file stays on disk."));
    all.add(
        new TopicConfig(
            MIN_CLEANABLE_DIRTY_RATIO,
            ConfigType.DOUBLE,
            "0.5",
            between(0, 1),
            List.of(same("log.cleaner.min.cleanable.ratio", ConfigType.DOUBLE)),
            "The share of a compacted log's bytes that must be dirty (not yet cleaned) before the"
                + " cleaner cleans it."));
    all.add(
        new TopicConfig(
            DELETE_RETENTION_MS,
            ConfigType.LONG,
            "86400000",
            atLeast(0),
            List.of(same("log.cleaner.delete.retention.ms", ConfigType.LONG)),
            "How long delete tombstones of a compacted topic are kept after being cleaned."));
    all.add(
        new TopicConfig(
            MIN_COMPACTION_LAG_MS,
            ConfigType.LONG,
            "0",
            atLeast(0),
            List.of(same("log.cleaner.min.compaction.lag.ms", ConfigType.LONG)),
            "The minimum time a record stays uncompacted."));
    all.add(
        new TopicConfig(
            MAX_COMPACTION_LAG_MS,
            ConfigType.LONG,
            Long.toString(Long.MAX_VALUE),
            atLeast(1),
            List.of(same("log.cleaner.max.compaction.lag.ms", ConfigType.LONG)),
            "The maximum time a record stays ineligible for compaction."));
    all.add(
        new TopicConfig(
            LEADER_REPLICATION_THROTTLED_REPLICAS,
            ConfigType.LIST,
            "",
            throttledReplicas(),
            List.of(),
            "Replicas (partition:brokerId, or * for all) whose leader throttles the replication"
                + " traffic it sends to out-of-ISR followers, within the broker's"
                + " leader.replication.throttled.rate."));
    all.add(
        new TopicConfig(
            FOLLOWER_REPLICATION_THROTTLED_REPLICAS,
            ConfigType.LIST,
            "",
            throttledReplicas(),
            List.of(),
            "Replicas (partition:brokerId, or * for all) whose follower throttles what it fetches,"
                + " within the broker's follower.replication.throttled.rate."));
    Map<String, TopicConfig> byName = new LinkedHashMap<>();
    for (TopicConfig c : all) {
      byName.put(c.name(), c);
    }
    return Collections.unmodifiableMap(byName);
  }

  /** Every topic-level config, in documentation order. */
  public static Collection<TopicConfig> all() {
    return CONFIGS.values();
  }

  public static Set<String> names() {
    return CONFIGS.keySet();
  }

  public static Optional<TopicConfig> get(String name) {
    return Optional.ofNullable(CONFIGS.get(name));
  }

  /**
   * Validates topic-level overrides.
   *
   * @return one error message per bad entry ({@code Unknown topic config name: foo}, {@code Invalid
   *     value abc for configuration retention.ms: Not a number of type LONG}); empty when all are
   *     valid. Sorted by key.
   */
  public static List<String> validate(Map<String, String> overrides) {
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
      TopicConfig def = CONFIGS.get(e.getKey());
      if (def == null) {
        errors.add("Unknown topic config name: " + e.getKey());
        continue;
      }
      try {
        def.parse(e.getValue());
      } catch (IllegalArgumentException ex) {
        errors.add(ex.getMessage());
      }
    }
    return errors;
  }

  /**
   * Normalizes valid overrides (trimmed, canonical numbers and booleans).
   *
   * @throws IllegalArgumentException with the messages of {@link #validate} when any is invalid
   */
  public static Map<String, String> normalize(Map<String, String> overrides) {
    List<String> errors = validate(overrides);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    Map<String, String> out = new TreeMap<>();
    overrides.forEach((k, v) -> out.put(k, CONFIGS.get(k).parse(v)));
    return out;
  }

  /**
   * The effective value of every topic-level config for a topic.
   *
   * @param brokerProps the broker's properties (broker-level keys such as {@code
   *     log.retention.hours}); other keys are ignored
   * @param overrides the topic's overrides (topic-level names); unknown names are ignored
   * @return topic-level name -> canonical value, for every config of {@link #all()}
   * @throws IllegalArgumentException naming the key and value when an override or a broker-level
   *     value is invalid
   */
  public static Map<String, String> effective(
      Map<String, String> brokerProps, Map<String, String> overrides) {
    Map<String, String> out = new TreeMap<>();
    for (TopicConfig def : CONFIGS.values()) {
      String override = overrides.get(def.name());
      if (override != null) {
        out.put(def.name(), def.parse(override));
        continue;
      }
      out.put(def.name(), brokerDefault(def, brokerProps));
    }
    // Unknown override keys are ignored here, as Kafka's brokers do: the controller refuses them
    // on every write (validate), so one can only come from a hand-edited znode or a newer
    // controller during a rolling upgrade, and must not take the topic's partitions offline.
    return out;
  }

  /** The cluster default of one config from the broker's properties, else its own default. */
  public static String brokerDefault(TopicConfig def, Map<String, String> brokerProps) {
    for (BrokerKey bk : def.brokerKeys()) {
      String raw = brokerProps.get(bk.key());
      if (raw == null) {
        continue;
      }
      String converted;
      try {
        converted = bk.toTopicValue().apply(bk.type().normalize(raw));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new IllegalArgumentException(
            "Invalid value " + raw + " for configuration " + bk.key() + ": " + e.getMessage());
      }
      try {
        return def.parse(converted);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Invalid value "
                + raw
                + " for configuration "
                + bk.key()
                + " (topic-level "
                + def.name()
                + "): "
                + e.getMessage().substring(e.getMessage().lastIndexOf(": ") + 2));
      }
    }
    return def.defaultValue();
  }

  private static Validator throttledReplicas() {
    return ThrottledReplicas::parse;
  }

  private static Validator atLeast(long min) {
    return v -> {
      double d = Double.parseDouble(v);
      if (d < min) {
        throw new IllegalArgumentException("Value must be at least " + min);
      }
    };
  }

  private static Validator between(double min, double max) {
    return v -> {
      double d = Double.parseDouble(v);
      if (!(d >= min && d <= max)) {
        throw new IllegalArgumentException("Value must be between " + min + " and " + max);
      }
    };
  }

  private static Validator oneOf(String... allowed) {
    List<String> list = List.of(allowed);
    return v -> {
      if (!list.contains(v)) {
        throw new IllegalArgumentException("String must be one of: " + String.join(", ", list));
      }
    };
  }

  private static Validator listOf(String... allowed) {
    List<String> list = List.of(allowed);
    return v -> {
      for (String item : v.split(",")) {
        if (!list.contains(item)) {
          throw new IllegalArgumentException("String must be one of: " + String.join(", ", list));
        }
      }
    };
  }
}
