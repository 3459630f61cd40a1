package io.brook.client.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of createTopics, per topic. */
public final class CreateTopicsResult {
  /** What the broker reported for a created topic. */
  public record TopicMetadataAndConfig(String topicId, int numPartitions, int replicationFactor) {}

  private final Map<String, CompletableFuture<TopicMetadataAndConfig>> futures;

  public CreateTopicsResult(Map<String, CompletableFuture<TopicMetadataAndConfig>> futures) {
    this.futures = Map.copyOf(futures);
  }

  /** Per topic: completes when created, or exceptionally (TopicExistsException, ...). */
  public Map<String, CompletableFuture<Void>> values() {
    Map<String, CompletableFuture<Void>> out = new java.util.HashMap<>();
    futures.forEach((k, f) -> out.put(k, f.thenApply(x -> null)));
    return out;
  }

  /** Completes when every topic was created; fails with the first failure. */
  public CompletableFuture<Void> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
  }

  public CompletableFuture<String> topicId(String topic) {
    return future(topic).thenApply(TopicMetadataAndConfig::topicId);
  }

  public CompletableFuture<Integer> numPartitions(String topic) {
    return future(topic).thenApply(TopicMetadataAndConfig::numPartitions);
  }

  public CompletableFuture<Integer> replicationFactor(String topic) {
    return future(topic).thenApply(TopicMetadataAndConfig::replicationFactor);
  }

  private CompletableFuture<TopicMetadataAndConfig> future(String topic) {
    CompletableFuture<TopicMetadataAndConfig> f = futures.get(topic);
    if (f == null) {
      throw new IllegalArgumentException("Topic " + topic + " was not part of the request");
    }
    return f;
  }
}
