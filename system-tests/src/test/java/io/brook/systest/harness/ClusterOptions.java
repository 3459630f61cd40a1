package io.brook.systest.harness;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link ProcessCluster} scenario changes from the defaults: broker properties (added to or
 * replacing the harness's defaults in every {@code broker-N.properties}) and extra JVM options
 * ({@code BROOK_OPTS}) for all brokers or for one, e.g. the test-only fault switches {@code
 * -Dbrook.test.ackBeforeReplication=true}. Immutable; the {@code with...} methods return copies.
 */
public record ClusterOptions(
    int brokerCount,
    Map<String, String> brokerOverrides,
    String allBrokersJvmOpts,
    Map<Integer, String> brokerJvmOpts) {

  public ClusterOptions {
    if (brokerCount < 1) {
      throw new IllegalArgumentException("brokerCount must be at least 1, not " + brokerCount);
    }
    brokerOverrides = Map.copyOf(brokerOverrides);
    allBrokersJvmOpts = allBrokersJvmOpts == null ? "" : allBrokersJvmOpts.trim();
    brokerJvmOpts = Map.copyOf(brokerJvmOpts);
  }

  /** Three brokers, the harness's default configuration, no extra JVM options. */
  public static ClusterOptions defaults() {
    return new ClusterOptions(3, Map.of(), "", Map.of());
  }

  public ClusterOptions withBrokerCount(int count) {
    return new ClusterOptions(count, brokerOverrides, allBrokersJvmOpts, brokerJvmOpts);
  }

  /** Sets broker property {@code key} to {@code value} on every broker. */
  public ClusterOptions withBrokerOverride(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(brokerOverrides);
    m.put(key, value);
    return new ClusterOptions(brokerCount, m, allBrokersJvmOpts, brokerJvmOpts);
  }

  /** Appends JVM options (BROOK_OPTS) for every broker. */
  public ClusterOptions withBrokerJvmOpts(String opts) {
    return new ClusterOptions(
        brokerCount, brokerOverrides, (allBrokersJvmOpts + " " + opts).trim(), brokerJvmOpts);
  }

  /** Appends JVM options (BROOK_OPTS) for broker {@code brokerId} only. */
  public ClusterOptions withBrokerJvmOpts(int brokerId, String opts) {
    Map<Integer, String> m = new HashMap<>(brokerJvmOpts);
    m.merge(brokerId, opts.trim(), (a, b) -> a + " " + b);
    return new ClusterOptions(brokerCount, brokerOverrides, allBrokersJvmOpts, m);
  }

  /** BROOK_OPTS of broker {@code brokerId}: the all-brokers options, then its own. */
  public String jvmOptsOf(int brokerId) {
    return (allBrokersJvmOpts + " " + brokerJvmOpts.getOrDefault(brokerId, "")).trim();
  }
}
