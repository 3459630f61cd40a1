package io.brook.client.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of describeConsumerGroups, per group id. */
public final class DescribeConsumerGroupsResult {
  private final Map<String, CompletableFuture<ConsumerGroupDescription>> futures;

  public DescribeConsumerGroupsResult(
      Map<String, CompletableFuture<ConsumerGroupDescription>> futures) {
    this.futures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(futures));
  }

  public Map<String, CompletableFuture<ConsumerGroupDescription>> describedGroups() {
    return futures;
  }

  /** Every description (in the order asked), or the first failure. */
  public CompletableFuture<Map<String, ConsumerGroupDescription>> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<String, ConsumerGroupDescription> out = new LinkedHashMap<>();
              futures.forEach((k, f) -> out.put(k, f.join()));
              return out;
            });
  }
}
