package io.brook.controller;

import io.brook.metadata.config.TopicConfigs;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the controller needs from the broker's configuration (Kafka's names). Immutable.
 *
 * @param brokerId broker.id of the broker hosting this controller candidate
 * @param brokerProps all the broker's properties: num.partitions, default.replication.factor and
 *     the broker-level topic config defaults ({@code log.retention.hours}, ...) are read from here
 * @param requestTimeoutMs deadline of each controller-to-broker request (request.timeout.ms)
 * @param retryBackoffMs first back-off between retries of a controller-to-broker request
 *     (retry.backoff.ms); doubles up to 10x
 * @param candidate controller.candidate: whether this broker joins the controller election
 * @param electLeaderOutsideIsr TEST ONLY, never a broker property: when a partition needs a new
 *     leader, prefer a live replica outside the ISR (see {@link
 *     io.brook.controller.election.PartitionLeaderElection#onReplicasOffline(
 *     io.brook.metadata.LeaderAndIsr, java.util.List, java.util.Set, boolean, boolean, int)}); set
 *     from the JVM system property {@code brook.test.electLeaderOutsideIsr} by the broker's main
 *     only, so that fault-injection tests can prove that their checker sees the losses it causes
 */
public record ControllerConfig(
    int brokerId,
    Map<String, String> brokerProps,
    long requestTimeoutMs,
    long retryBackoffMs,
    boolean candidate,
    boolean electLeaderOutsideIsr) {
  public static final String CONTROLLER_CANDIDATE = "controller.candidate";
  public static final String NUM_PARTITIONS = "num.partitions";
  public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
  public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
  public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
  public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE =
      "leader.imbalance.per.broker.percentage";
  public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS =
      "leader.imbalance.check.interval.seconds";

  public ControllerConfig {
    brokerProps = Map.copyOf(brokerProps);
    if (requestTimeoutMs <= 0) {
      throw new IllegalArgumentException("request.timeout.ms must be > 0");
    }
    if (retryBackoffMs <= 0) {
      throw new IllegalArgumentException("retry.backoff.ms must be > 0");
    }
    validateLeaderRebalance(brokerProps);
  }

  /**
   * Refuses bad values of the automatic leader rebalance configs, naming key and value: {@code
   * auto.leader.rebalance.enable} true or false, {@code leader.imbalance.per.broker.percentage}
   * 0..100, {@code leader.imbalance.check.interval.seconds} at least 1.
   */
  private static void validateLeaderRebalance(Map<String, String> props) {
    String enable = props.get(AUTO_LEADER_REBALANCE_ENABLE);
    if (enable != null
        && !enable.trim().equalsIgnoreCase("true")
        && !enable.trim().equalsIgnoreCase("false")) {
      throw invalid(AUTO_LEADER_REBALANCE_ENABLE, enable, "must be true or false");
    }
    long pct = parseLong(props, LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, 10);
    if (pct < 0 || pct > 100) {
      throw invalid(
          LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, String.valueOf(pct), "must be between 0 and 100");
    }
    long seconds = parseLong(props, LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, 300);
    if (seconds < 1 || seconds > Long.MAX_VALUE / 1000) {
      throw invalid(
          LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, String.valueOf(seconds), "must be at least 1");
    }
  }

  private static long parseLong(Map<String, String> props, String key, long dflt) {
    String v = props.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, v, "not a whole number");
    }
  }

  private static IllegalArgumentException invalid(String key, String value, String why) {
    return new IllegalArgumentException(
        "Invalid value " + value + " for configuration " + key + ": " + why);
  }

  /** Reads request.timeout.ms (30000), retry.backoff.ms (100), controller.candidate (true). */
  public static ControllerConfig fromProperties(int brokerId, Map<String, String> props) {
    return new ControllerConfig(
        brokerId,
        props,
        Long.parseLong(props.getOrDefault(REQUEST_TIMEOUT_MS, "30000").trim()),
        Long.parseLong(props.getOrDefault(RETRY_BACKOFF_MS, "100").trim()),
        Boolean.parseBoolean(props.getOrDefault(CONTROLLER_CANDIDATE, "true").trim()),
        false);
  }

  /** This configuration with the test-only fault {@code electLeaderOutsideIsr} set as given. */
  public ControllerConfig withElectLeaderOutsideIsr(boolean on) {
    return new ControllerConfig(
        brokerId, brokerProps, requestTimeoutMs, retryBackoffMs, candidate, on);
  }

  public static ControllerConfig fromProperties(int brokerId, Properties props) {
    Map<String, String> m = new TreeMap<>();
    props.stringPropertyNames().forEach(k -> m.put(k, props.getProperty(k)));
    return fromProperties(brokerId, m);
  }

  /** num.partitions (1). */
  public int defaultNumPartitions() {
    return Integer.parseInt(brokerProps.getOrDefault(NUM_PARTITIONS, "1").trim());
  }

  /** default.replication.factor (1). */
  public int defaultReplicationFactor() {
    return Integer.parseInt(brokerProps.getOrDefault(DEFAULT_REPLICATION_FACTOR, "1").trim());
  }

  /** auto.leader.rebalance.enable (true): whether the controller rebalances leadership itself. */
  public boolean autoLeaderRebalanceEnable() {
    return Boolean.parseBoolean(
        brokerProps.getOrDefault(AUTO_LEADER_REBALANCE_ENABLE, "true").trim());
  }

  /**
   * leader.imbalance.per.broker.percentage (10): the share of a broker's preferred partitions that
   * may be led by others before the automatic rebalance moves them back.
   */
  public int leaderImbalancePerBrokerPercentage() {
    return (int) parseLong(brokerProps, LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, 10);
  }

  /** leader.imbalance.check.interval.seconds (300), in milliseconds. */
  public long leaderImbalanceCheckIntervalMs() {
    return parseLong(brokerProps, LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, 300) * 1000;
  }

  /** The effective topic config of a topic with {@code overrides}, over this broker's defaults. */
  public Map<String, String> effectiveTopicConfig(Map<String, String> overrides) {
    return TopicConfigs.effective(brokerProps, overrides);
  }
}
