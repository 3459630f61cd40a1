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

  public ControllerConfig {
    brokerProps = Map.copyOf(brokerProps);
    if (requestTimeoutMs <= 0) {
      throw new IllegalArgumentException("request.timeout.ms must be > 0");
    }
    if (retryBackoffMs <= 0) {
      throw new IllegalArgumentException("retry.backoff.ms must be > 0");
    }
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

  /** The effective topic config of a topic with {@code overrides}, over this broker's defaults. */
  public Map<String, String> effectiveTopicConfig(Map<String, String> overrides) {
    return TopicConfigs.effective(brokerProps, overrides);
  }
}
