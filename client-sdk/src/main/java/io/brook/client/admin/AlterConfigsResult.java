package io.brook.client.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of incrementalAlterConfigs, per resource (Kafka's {@code AlterConfigsResult}): a
 * future fails with InvalidConfigurationException, UnknownTopicOrPartitionException,
 * InvalidRequestException, ... carrying the controller's message (which names the key).
 */
public final class AlterConfigsResult {
  private final Map<ConfigResource, CompletableFuture<Void>> futures;

  public AlterConfigsResult(Map<ConfigResource, CompletableFuture<Void>> futures) {
    this.futures = Map.copyOf(futures);
  }

  public Map<ConfigResource, CompletableFuture<Void>> values() {
    return futures;
  }

  public CompletableFuture<Void> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
  }
}
