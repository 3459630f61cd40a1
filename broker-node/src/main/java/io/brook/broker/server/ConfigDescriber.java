package io.brook.broker.server;

import io.brook.metadata.config.BrokerDynamicConfigs;
import io.brook.metadata.config.TopicConfig;
import io.brook.metadata.config.TopicConfigs;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.ConfigEntry;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ConfigSource;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.DescribeConfigsResult;
import io.brook.protocol.v1.ErrorCode;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Answers DescribeConfigs: for a topic, every topic-level config with its value and source (the
 * topic's override, this broker's dynamic per-broker or cluster-default value, its static value, or
 * the built-in default); for this broker, its configuration with the dynamic keys layered over the
 * static ones (per broker > {@code <default>} > server.properties > default; dynamic keys are not
 * read-only); for {@code ""} (the cluster default), the {@code /config/brokers/<default>} entries;
 * for another broker id, its dynamic entries as stored in ZooKeeper. Thread-safe.
 */
final class ConfigDescriber {
  private final BrokerConfig config;
  private final MetadataCache cache;
  private volatile DynamicBrokerConfig dynamic;

  ConfigDescriber(BrokerConfig config, MetadataCache cache) {
    this.config = config;
    this.cache = cache;
  }

  /** The dynamic broker configs to report (sources DYNAMIC_BROKER / DYNAMIC_DEFAULT_BROKER). */
  void setDynamicConfig(DynamicBrokerConfig dynamic) {
    this.dynamic = dynamic;
  }

  private static boolean isBrokerId(String id) {
    try {
      return Integer.parseInt(id.trim()) >= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private Map<String, String> brokerProps() {
    DynamicBrokerConfig d = dynamic;
    return d == null ? config.originals() : d.current();
  }

  private ConfigSource sourceOf(String brokerKey) {
    DynamicBrokerConfig d = dynamic;
    if (d != null) {
      switch (d.source(brokerKey)) {
        case DYNAMIC_BROKER -> {
          return ConfigSource.DYNAMIC_BROKER_CONFIG;
        }
        case DYNAMIC_DEFAULT -> {
          return ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
        }
        default -> {}
      }
    }
    return config.isExplicit(brokerKey)
        ? ConfigSource.STATIC_BROKER_CONFIG
        : ConfigSource.DEFAULT_CONFIG;
  }

  DescribeConfigsResponse describe(DescribeConfigsRequest req) {
    DescribeConfigsResponse.Builder b = DescribeConfigsResponse.newBuilder();
    for (ConfigResource res : req.getResourcesList()) {
      DescribeConfigsResult.Builder r = DescribeConfigsResult.newBuilder().setResource(res);
      switch (res.getType()) {
        case TOPIC -> describeTopic(res.getName(), r);
        case BROKER -> describeBroker(res.getName(), r);
        default ->
            r.setError(ErrorCode.INVALID_REQUEST)
                .setErrorMessage("Unsupported config resource type " + res.getType());
      }
      b.addResults(r);
    }
    return b.build();
  }

  private void describeTopic(String topic, DescribeConfigsResult.Builder r) {
    Optional<MetadataCache.TopicView> view = cache.topic(topic);
    if (view.isEmpty()) {
      r.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          .setErrorMessage("Topic " + topic + " does not exist");
      return;
    }
    Map<String, String> overrides = view.get().configs();
    Map<String, String> brokerProps = brokerProps();
    for (TopicConfig def : TopicConfigs.all()) {
      ConfigEntry.Builder e = ConfigEntry.newBuilder().setName(def.name());
      String override = overrides.get(def.name());
      Optional<String> brokerKey =
          def.brokerKeys().stream().map(k -> k.key()).filter(brokerProps::containsKey).findFirst();
      if (override != null) {
        e.setValue(override).setSource(ConfigSource.DYNAMIC_TOPIC_CONFIG);
      } else if (brokerKey.isPresent()) {
        e.setValue(TopicConfigs.brokerDefault(def, brokerProps))
            .setSource(sourceOf(brokerKey.get()));
      } else {
        e.setValue(def.defaultValue()).setSource(ConfigSource.DEFAULT_CONFIG);
      }
      r.addEntries(e);
    }
  }

  private void describeBroker(String id, DescribeConfigsResult.Builder r) {
    DynamicBrokerConfig d = dynamic;
    if ((id.isEmpty() || id.equals(ZkPaths.DEFAULT_BROKER_ENTITY)) && d != null) {
      // The cluster-wide default (/config/brokers/<default>), as this broker last saw it.
      d.clusterDefault()
          .forEach(
              (k, v) ->
                  r.addEntries(
                      ConfigEntry.newBuilder()
                          .setName(k)
                          .setValue(v)
                          .setSource(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)));
      return;
    }
    if (d != null && !id.equals(String.valueOf(config.brokerId())) && isBrokerId(id)) {
      // Another broker: its dynamic configs (per broker, then the cluster default) from ZooKeeper;
      // its static configuration is known only to itself.
      Map<String, String> own = d.readEntity(id.trim());
      Map<String, String> defaults = d.clusterDefault();
      Map<String, ConfigEntry> entries = new TreeMap<>();
      defaults.forEach(
          (k, v) ->
              entries.put(
                  k,
                  ConfigEntry.newBuilder()
                      .setName(k)
                      .setValue(v)
                      .setSource(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
                      .build()));
      own.forEach(
          (k, v) ->
              entries.put(
                  k,
                  ConfigEntry.newBuilder()
                      .setName(k)
                      .setValue(v)
                      .setSource(ConfigSource.DYNAMIC_BROKER_CONFIG)
                      .build()));
      r.addAllEntries(entries.values());
      return;
    }
    if (!id.equals(String.valueOf(config.brokerId()))) {
      r.setError(ErrorCode.INVALID_REQUEST)
          .setErrorMessage(
              "Broker "
                  + config.brokerId()
                  + " describes only its own configuration; send the request to broker "
                  + id);
      return;
    }
    Map<String, String> values = new TreeMap<>(config.effectiveValues());
    Map<String, String> layered = brokerProps();
    for (var def : BrokerDynamicConfigs.all().values()) {
      String v = layered.get(def.name());
      if (v != null) {
        values.put(def.name(), v);
      } else if (def.defaultValue() != null) {
        values.putIfAbsent(def.name(), def.defaultValue());
      }
    }
    values.forEach(
        (k, v) ->
            r.addEntries(
                ConfigEntry.newBuilder()
                    .setName(k)
                    .setValue(v)
                    .setReadOnly(!BrokerDynamicConfigs.isDynamic(k))
                    .setSource(sourceOf(k))));
  }
}
