package io.brook.client.admin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of createPartitions, per topic name (Kafka's {@code CreatePartitionsResult}). */
public final class CreatePartitionsResult {
  private final Map<String, CompletableFuture<Void>> futures;

  public CreatePartitionsResult(Map<String, CompletableFuture<Void>> futures) {
    this.futures = Map.copyOf(futures);
  }

  public Map<String, CompletableFuture<Void>> values() {
    return futures;
  }

  public CompletableFuture<Void> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
  }
}
