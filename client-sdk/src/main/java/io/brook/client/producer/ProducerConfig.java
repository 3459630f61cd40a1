package io.brook.client.producer;

import static io.brook.client.common.config.ConfigDef.NO_DEFAULT_VALUE;
import static io.brook.client.common.config.ConfigDef.atLeast;
import static io.brook.client.common.config.ConfigDef.between;
import static io.brook.client.common.config.ConfigDef.in;

import io.brook.client.common.config.AbstractConfig;
import io.brook.client.common.config.CommonClientConfigs;
import io.brook.client.common.config.ConfigDef;
import io.brook.client.common.config.ConfigDef.Type;
import io.brook.client.common.errors.ConfigException;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The producer's configuration: Kafka's names, types and defaults for every key Brook supports.
 * Immutable.
 */
public final class ProducerConfig extends AbstractConfig {
  public static final String BOOTSTRAP_SERVERS_CONFIG =
      CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
  public static final String CLIENT_ID_CONFIG = CommonClientConfigs.CLIENT_ID_CONFIG;
  public static final String ACKS_CONFIG = "acks";
  public static final String LINGER_MS_CONFIG = "linger.ms";
  public static final String BATCH_SIZE_CONFIG = "batch.size";
  public static final String BUFFER_MEMORY_CONFIG = "buffer.memory";
  public static final String MAX_BLOCK_MS_CONFIG = "max.block.ms";
  public static final String COMPRESSION_TYPE_CONFIG = "compression.type";
  public static final String RETRIES_CONFIG = "retries";
  public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
  public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "retry.backoff.max.ms";
  public static final String DELIVERY_TIMEOUT_MS_CONFIG = "delivery.timeout.ms";
  public static final String REQUEST_TIMEOUT_MS_CONFIG = "request.timeout.ms";
  public static final String MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION =
      "max.in.flight.requests.per.connection";
  public static final String MAX_REQUEST_SIZE_CONFIG = "max.request.size";
  public static final String METADATA_MAX_AGE_CONFIG = "metadata.max.age.ms";
  public static final String PARTITIONER_CLASS_CONFIG = "partitioner.class";
  public static final String PARTITIONER_IGNORE_KEYS_CONFIG = "partitioner.ignore.keys";
  public static final String KEY_SERIALIZER_CLASS_CONFIG = "key.serializer";
  public static final String VALUE_SERIALIZER_CLASS_CONFIG = "value.serializer";
  public static final String ENABLE_IDEMPOTENCE_CONFIG = "enable.idempotence";
  public static final String TRANSACTIONAL_ID_CONFIG = "transactional.id";
  public static final String SEND_BUFFER_CONFIG = "send.buffer.bytes";
  public static final String RECEIVE_BUFFER_CONFIG = "receive.buffer.bytes";
  public static final String CONNECTIONS_MAX_IDLE_MS_CONFIG = "connections.max.idle.ms";
  public static final String RECONNECT_BACKOFF_MS_CONFIG = "reconnect.backoff.ms";

  static final ConfigDef CONFIG =
      CommonClientConfigs.newConfigDef()
          .define(ACKS_CONFIG, Type.STRING, "all", in("all", "-1", "0", "1"), "acknowledgements")
          .define(LINGER_MS_CONFIG, Type.LONG, 5L, atLeast(0), "wait for more records")
          .define(BATCH_SIZE_CONFIG, Type.INT, 16384, atLeast(0), "batch size in bytes")
          .define(BUFFER_MEMORY_CONFIG, Type.LONG, 33554432L, atLeast(0L), "buffer bytes")
          .define(MAX_BLOCK_MS_CONFIG, Type.LONG, 60000L, atLeast(0), "max time send() blocks")
          .define(
              COMPRESSION_TYPE_CONFIG,
              Type.STRING,
              "none",
              in("none", "gzip", "snappy", "lz4", "zstd"),
              "codec of batches")
          .define(RETRIES_CONFIG, Type.INT, Integer.MAX_VALUE, between(0, Integer.MAX_VALUE), "")
          .define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, 100L, atLeast(0L), "")
          .define(RETRY_BACKOFF_MAX_MS_CONFIG, Type.LONG, 1000L, atLeast(0L), "")
          .define(DELIVERY_TIMEOUT_MS_CONFIG, Type.INT, 120000, atLeast(0), "")
          .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 30000, atLeast(0), "")
          .define(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, Type.INT, 5, atLeast(1), "")
          .define(MAX_REQUEST_SIZE_CONFIG, Type.INT, 1048576, atLeast(0), "")
          .define(METADATA_MAX_AGE_CONFIG, Type.LONG, 300000L, atLeast(0), "")
          .define(PARTITIONER_CLASS_CONFIG, Type.CLASS, null, "custom partitioner")
          .define(PARTITIONER_IGNORE_KEYS_CONFIG, Type.BOOLEAN, false, "")
          .define(KEY_SERIALIZER_CLASS_CONFIG, Type.CLASS, NO_DEFAULT_VALUE, "")
          .define(VALUE_SERIALIZER_CLASS_CONFIG, Type.CLASS, NO_DEFAULT_VALUE, "")
          .define(
              ENABLE_IDEMPOTENCE_CONFIG,
              Type.BOOLEAN,
              true,
              "exactly one copy of each record per partition, in order (needs acks=all)")
          .define(TRANSACTIONAL_ID_CONFIG, Type.STRING, null, "not supported yet")
          .define(SEND_BUFFER_CONFIG, Type.INT, 131072, atLeast(-1), "")
          .define(RECEIVE_BUFFER_CONFIG, Type.INT, 32768, atLeast(-1), "")
          .define(CONNECTIONS_MAX_IDLE_MS_CONFIG, Type.LONG, 540000L, "")
          .define(RECONNECT_BACKOFF_MS_CONFIG, Type.LONG, 50L, atLeast(0L), "");

  /** Kafka's bound on in-flight requests that the broker's producer state (5 batches) covers. */
  static final int MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE = 5;

  private static final Logger LOG = LogManager.getLogger(ProducerConfig.class);

  private final boolean idempotenceEnabled;

  /**
   * @param props the user's properties; {@code key.serializer} / {@code value.serializer} may be
   *     absent when serializer instances are passed to the producer's constructor (the caller then
   *     adds placeholders)
   */
  public ProducerConfig(Map<?, ?> props) {
    super(CONFIG, props, "producer");
    if (getString(TRANSACTIONAL_ID_CONFIG) != null) {
      throw new ConfigException(
          "transactional.id is not supported yet: Brook's producer has no transactions");
    }
    long linger = getLong(LINGER_MS_CONFIG);
    int request = getInt(REQUEST_TIMEOUT_MS_CONFIG);
    int delivery = getInt(DELIVERY_TIMEOUT_MS_CONFIG);
    if ((long) delivery < linger + request) {
      if (props.containsKey(DELIVERY_TIMEOUT_MS_CONFIG)) {
        throw new ConfigException(
            DELIVERY_TIMEOUT_MS_CONFIG
                + " should be equal to or larger than "
                + LINGER_MS_CONFIG
                + " + "
                + REQUEST_TIMEOUT_MS_CONFIG);
      }
    }
    this.idempotenceEnabled = validateIdempotence(props);
  }

  /**
   * Kafka's rules (ProducerConfig.postProcessAndValidateIdempotenceConfigs): idempotence is on by
   * default; set explicitly to true it requires acks=all, retries > 0 and at most 5 requests in
   * flight (else ConfigException); left at its default it is silently switched off by any of those
   * settings.
   */
  private boolean validateIdempotence(Map<?, ?> props) {
    if (!getBoolean(ENABLE_IDEMPOTENCE_CONFIG)) {
      return false;
    }
    boolean userConfigured = props.containsKey(ENABLE_IDEMPOTENCE_CONFIG);
    boolean disable = false;
    if (getInt(RETRIES_CONFIG) == 0) {
      if (userConfigured) {
        throw new ConfigException(
            "Must set " + RETRIES_CONFIG + " to non-zero when using the idempotent producer.");
      }
      LOG.info("Idempotence will be disabled because {} is set to 0.", RETRIES_CONFIG);
      disable = true;
    }
    if (acks() != -1) {
      if (userConfigured) {
        throw new ConfigException(
            "Must set "
                + ACKS_CONFIG
                + " to all in order to use the idempotent producer. Otherwise we cannot guarantee"
                + " idempotence.");
      }
      LOG.info(
          "Idempotence will be disabled because {} is set to {}, not set to 'all'.",
          ACKS_CONFIG,
          acks());
      disable = true;
    }
    int inFlight = getInt(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
    if (inFlight > MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE) {
      if (userConfigured) {
        throw new ConfigException(
            "Must set "
                + MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION
                + " to at most 5 to use the idempotent producer.");
      }
      LOG.warn(
          "Idempotence will be disabled because {} is set to {}, which is greater than 5.",
          MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
          inFlight);
      disable = true;
    }
    return !disable;
  }

  /** Whether this producer is idempotent, after {@link #validateIdempotence}'s rules. */
  public boolean idempotenceEnabled() {
    return idempotenceEnabled;
  }

  /** True when the user set enable.idempotence themselves (not the default). */
  public boolean idempotenceExplicit() {
    return originals().containsKey(ENABLE_IDEMPOTENCE_CONFIG);
  }

  /** delivery.timeout.ms, raised to linger.ms + request.timeout.ms when left at its default. */
  public int deliveryTimeoutMs() {
    long min = getLong(LINGER_MS_CONFIG) + getInt(REQUEST_TIMEOUT_MS_CONFIG);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(getInt(DELIVERY_TIMEOUT_MS_CONFIG), min));
  }

  /** acks as a number: -1 (all), 0 or 1. */
  public short acks() {
    String a = getString(ACKS_CONFIG);
    return "all".equals(a) ? -1 : Short.parseShort(a);
  }

  /** Every key this producer understands. */
  public static java.util.Set<String> configNames() {
    return CONFIG.names();
  }
}
