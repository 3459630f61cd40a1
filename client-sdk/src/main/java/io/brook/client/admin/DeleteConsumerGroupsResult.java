package io.brook.client.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of deleteConsumerGroups, per group: fails with GroupNotEmptyException (the group has
 * members), GroupIdNotFoundException, ...
 */
public final class DeleteConsumerGroupsResult {
  private final Map<String, CompletableFuture<Void>> futures;

  public DeleteConsumerGroupsResult(Map<String, CompletableFuture<Void>> futures) {
    this.futures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(futures));
  }

  public Map<String, CompletableFuture<Void>> deletedGroups() {
    return futures;
  }

  public CompletableFuture<Void> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
  }
}
