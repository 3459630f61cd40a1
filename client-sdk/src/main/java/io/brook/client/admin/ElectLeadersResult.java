package io.brook.client.admin;

import io.brook.common.TopicPartition;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of electLeaders (Kafka's class): per partition, empty when a leader was elected, or
 * the error (ElectionNotNeededException when it already had the leader the election would pick,
 * PreferredLeaderNotAvailableException, EligibleLeadersNotAvailableException,
 * UnknownTopicOrPartitionException...). The future fails only for a whole-request error.
 */
public final class ElectLeadersResult {
  private final CompletableFuture<Map<TopicPartition, Optional<Throwable>>> future;

  public ElectLeadersResult(CompletableFuture<Map<TopicPartition, Optional<Throwable>>> future) {
    this.future = future;
  }

  public CompletableFuture<Map<TopicPartition, Optional<Throwable>>> partitions() {
    return future;
  }

  /** Completes when every partition got a leader; fails with the first partition error. */
  public CompletableFuture<Void> all() {
    return future.thenApply(
        m -> {
          for (Optional<Throwable> e : m.values()) {
            if (e.isPresent()) {
              throw e.get() instanceof RuntimeException r
                  ? r
                  : new java.util.concurrent.CompletionException(e.get());
            }
          }
          return null;
        });
  }
}
