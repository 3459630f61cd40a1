package io.brook.client.admin;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of describeTopics, per topic name. */
public final class DescribeTopicsResult {
  private final Map<String, CompletableFuture<TopicDescription>> futures;

  public DescribeTopicsResult(Map<String, CompletableFuture<TopicDescription>> futures) {
    this.futures = Map.copyOf(futures);
  }

  public Map<String, CompletableFuture<TopicDescription>> topicNameValues() {
    return futures;
  }

  public Map<String, CompletableFuture<TopicDescription>> values() {
    return futures;
  }

  /** Every description, or the first failure (UnknownTopicOrPartitionException, ...). */
  public CompletableFuture<Map<String, TopicDescription>> allTopicNames() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<String, TopicDescription> out = new HashMap<>();
              futures.forEach((k, f) -> out.put(k, f.join()));
              return out;
            });
  }

  public CompletableFuture<Map<String, TopicDescription>> all() {
    return allTopicNames();
  }
}
