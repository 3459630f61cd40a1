package io.brook.client.admin;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of describeConfigs, per resource. */
public final class DescribeConfigsResult {
  private final Map<ConfigResource, CompletableFuture<Config>> futures;

  public DescribeConfigsResult(Map<ConfigResource, CompletableFuture<Config>> futures) {
    this.futures = Map.copyOf(futures);
  }

  public Map<ConfigResource, CompletableFuture<Config>> values() {
    return futures;
  }

  public CompletableFuture<Map<ConfigResource, Config>> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<ConfigResource, Config> out = new HashMap<>();
              futures.forEach((k, f) -> out.put(k, f.join()));
              return out;
            });
  }
}
