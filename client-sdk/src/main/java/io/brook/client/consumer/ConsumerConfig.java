package io.brook.client.consumer;

import static io.brook.client.common.config.ConfigDef.NO_DEFAULT_VALUE;
import static io.brook.client.common.config.ConfigDef.atLeast;
import static io.brook.client.common.config.ConfigDef.in;

import io.brook.client.common.config.AbstractConfig;
import io.brook.client.common.config.CommonClientConfigs;
import io.brook.client.common.config.ConfigDef;
import io.brook.client.common.config.ConfigDef.Type;
import java.util.Map;

/** The consumer's configuration: Kafka's names, types and defaults. Immutable. */
public final class ConsumerConfig extends AbstractConfig {
  public static final String BOOTSTRAP_SERVERS_CONFIG =
      CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
  public static final String CLIENT_ID_CONFIG = CommonClientConfigs.CLIENT_ID_CONFIG;
  public static final String GROUP_ID_CONFIG = "group.id";
  public static final String KEY_DESERIALIZER_CLASS_CONFIG = "key.deserializer";
  public static final String VALUE_DESERIALIZER_CLASS_CONFIG = "value.deserializer";
  public static final String FETCH_MIN_BYTES_CONFIG = "fetch.min.bytes";
  public static final String FETCH_MAX_BYTES_CONFIG = "fetch.max.bytes";
  public static final String FETCH_MAX_WAIT_MS_CONFIG = "fetch.max.wait.ms";
  public static final String MAX_PARTITION_FETCH_BYTES_CONFIG = "max.partition.fetch.bytes";
  public static final String MAX_POLL_RECORDS_CONFIG = "max.poll.records";
  public static final String AUTO_OFFSET_RESET_CONFIG = "auto.offset.reset";
  public static final String ENABLE_AUTO_COMMIT_CONFIG = "enable.auto.commit";
  public static final String REQUEST_TIMEOUT_MS_CONFIG = "request.timeout.ms";
  public static final String DEFAULT_API_TIMEOUT_MS_CONFIG = "default.api.timeout.ms";
  public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
  public static final String METADATA_MAX_AGE_CONFIG = "metadata.max.age.ms";
  public static final String CHECK_CRCS_CONFIG = "check.crcs";
  public static final String ISOLATION_LEVEL_CONFIG = "isolation.level";
  public static final String EXCLUDE_INTERNAL_TOPICS_CONFIG = "exclude.internal.topics";
  public static final String ALLOW_AUTO_CREATE_TOPICS_CONFIG = "allow.auto.create.topics";
  public static final String RECEIVE_BUFFER_CONFIG = "receive.buffer.bytes";
  public static final String SEND_BUFFER_CONFIG = "send.buffer.bytes";
  public static final String AUTO_COMMIT_INTERVAL_MS_CONFIG = "auto.commit.interval.ms";
  public static final String SESSION_TIMEOUT_MS_CONFIG = "session.timeout.ms";
  public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "heartbeat.interval.ms";
  public static final String MAX_POLL_INTERVAL_MS_CONFIG = "max.poll.interval.ms";
  public static final String CLIENT_RACK_CONFIG = "client.rack";
  public static final String GROUP_INSTANCE_ID_CONFIG = "group.instance.id";
  public static final String PARTITION_ASSIGNMENT_STRATEGY_CONFIG = "partition.assignment.strategy";

  /** Kafka's default: range first, cooperative-sticky second (so a later upgrade can switch). */
  public static final String DEFAULT_PARTITION_ASSIGNMENT_STRATEGY =
      "io.brook.client.consumer.RangeAssignor,io.brook.client.consumer.CooperativeStickyAssignor";

  static final ConfigDef CONFIG =
      CommonClientConfigs.newConfigDef()
          .define(GROUP_ID_CONFIG, Type.STRING, null, "the consumer group this consumer joins")
          .define(
              GROUP_INSTANCE_ID_CONFIG,
              Type.STRING,
              null,
              "a static member's identity (KIP-345); unset for a dynamic member")
          .define(
              PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
              Type.LIST,
              DEFAULT_PARTITION_ASSIGNMENT_STRATEGY,
              ConfigDef.nonEmptyList(),
              "assignor class names (or range, roundrobin, sticky, cooperative-sticky), in order"
                  + " of preference")
          .define(KEY_DESERIALIZER_CLASS_CONFIG, Type.CLASS, NO_DEFAULT_VALUE, "")
          .define(VALUE_DESERIALIZER_CLASS_CONFIG, Type.CLASS, NO_DEFAULT_VALUE, "")
          .define(FETCH_MIN_BYTES_CONFIG, Type.INT, 1, atLeast(0), "")
          .define(FETCH_MAX_BYTES_CONFIG, Type.INT, 52428800, atLeast(0), "")
          .define(FETCH_MAX_WAIT_MS_CONFIG, Type.INT, 500, atLeast(0), "")
          .define(MAX_PARTITION_FETCH_BYTES_CONFIG, Type.INT, 1048576, atLeast(0), "")
          .define(MAX_POLL_RECORDS_CONFIG, Type.INT, 500, atLeast(1), "")
          .define(
              AUTO_OFFSET_RESET_CONFIG, Type.STRING, "latest", in("latest", "earliest", "none"), "")
          .define(ENABLE_AUTO_COMMIT_CONFIG, Type.BOOLEAN, true, "ignored without a group.id")
          .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 30000, atLeast(0), "")
          .define(DEFAULT_API_TIMEOUT_MS_CONFIG, Type.INT, 60000, atLeast(0), "")
          .define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, 100L, atLeast(0L), "")
          .define(METADATA_MAX_AGE_CONFIG, Type.LONG, 300000L, atLeast(0), "")
          .define(CHECK_CRCS_CONFIG, Type.BOOLEAN, true, "")
          .define(
              ISOLATION_LEVEL_CONFIG,
              Type.STRING,
              "read_uncommitted",
              in("read_committed", "read_uncommitted"),
              "")
          .define(EXCLUDE_INTERNAL_TOPICS_CONFIG, Type.BOOLEAN, true, "")
          .define(ALLOW_AUTO_CREATE_TOPICS_CONFIG, Type.BOOLEAN, true, "")
          .define(RECEIVE_BUFFER_CONFIG, Type.INT, 65536, atLeast(-1), "")
          .define(SEND_BUFFER_CONFIG, Type.INT, 131072, atLeast(-1), "")
          .define(AUTO_COMMIT_INTERVAL_MS_CONFIG, Type.INT, 5000, atLeast(0), "")
          .define(SESSION_TIMEOUT_MS_CONFIG, Type.INT, 45000, "")
          .define(HEARTBEAT_INTERVAL_MS_CONFIG, Type.INT, 3000, "")
          .define(MAX_POLL_INTERVAL_MS_CONFIG, Type.INT, 300000, atLeast(1), "")
          .define(CLIENT_RACK_CONFIG, Type.STRING, "", "");

  public ConsumerConfig(Map<?, ?> props) {
    super(CONFIG, props, "consumer");
  }

  public static java.util.Set<String> configNames() {
    return CONFIG.names();
  }
}
