package io.brook.broker.server;

import io.brook.metadata.config.TopicConfig;
import io.brook.metadata.config.TopicConfigs;
import io.brook.protocol.v1.ConfigEntry;
import io.brook.protocol.v1.ConfigResource;
import io.brook.protocol.v1.ConfigSource;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.DescribeConfigsResult;
import io.brook.protocol.v1.ErrorCode;
import java.util.Map;
import java.util.Optional;

/**
 * Answers DescribeConfigs: for a topic, every topic-level config with its value and source (the
 * topic's override, the broker's static default, or the built-in default); for this broker, its
 * static configuration. Stateless; thread-safe.
 */
final class ConfigDescriber {
  private final BrokerConfig config;
  private final MetadataCache cache;

  ConfigDescriber(BrokerConfig config, MetadataCache cache) {
    this.config = config;
    this.cache = cache;
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
    Map<String, String> brokerProps = config.originals();
    for (TopicConfig def : TopicConfigs.all()) {
      ConfigEntry.Builder e = ConfigEntry.newBuilder().setName(def.name());
      String override = overrides.get(def.name());
      if (override != null) {
        e.setValue(override).setSource(ConfigSource.DYNAMIC_TOPIC_CONFIG);
      } else if (def.brokerKeys().stream().anyMatch(k -> brokerProps.containsKey(k.key()))) {
        e.setValue(TopicConfigs.brokerDefault(def, brokerProps))
            .setSource(ConfigSource.STATIC_BROKER_CONFIG);
      } else {
        e.setValue(def.defaultValue()).setSource(ConfigSource.DEFAULT_CONFIG);
      }
      r.addEntries(e);
    }
  }

  private void describeBroker(String id, DescribeConfigsResult.Builder r) {
    if (!id.equals(String.valueOf(config.brokerId()))) {
      r.setError(ErrorCode.INVALID_REQUEST)
          .setErrorMessage(
              "Broker "
                  + config.brokerId()
                  + " describes only its own configuration; send the request to broker "
                  + id);
      return;
    }
    config
        .effectiveValues()
        .forEach(
            (k, v) ->
                r.addEntries(
                    ConfigEntry.newBuilder()
                        .setName(k)
                        .setValue(v)
                        .setReadOnly(true)
                        .setSource(
                            config.isExplicit(k)
                                ? ConfigSource.STATIC_BROKER_CONFIG
                                : ConfigSource.DEFAULT_CONFIG)));
  }
}
