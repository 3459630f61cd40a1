package io.brook.client.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of deleteTopics, per topic name. */
public final class DeleteTopicsResult {
  private final Map<String, CompletableFuture<Void>> futures;

  public DeleteTopicsResult(Map<String, CompletableFuture<Void>> futures) {
    this.futures = Map.copyOf(futures);
  }

  public Map<String, CompletableFuture<Void>> topicNameValues() {
    return futures;
  }

  public Map<String, CompletableFuture<Void>> values() {
    return futures;
  }

  public CompletableFuture<Void> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
  }
}
