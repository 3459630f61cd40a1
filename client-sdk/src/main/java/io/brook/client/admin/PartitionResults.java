package io.brook.client.admin;

import io.brook.client.common.errors.BrookException;
import io.brook.common.TopicPartition;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The shape of Kafka's per-partition group results (AlterConsumerGroupOffsetsResult,
 * DeleteConsumerGroupOffsetsResult): one future for the whole request that completes with a
 * partition -> error map (null error: done), or fails with a whole-request error.
 */
abstract class PartitionResults {
  private final CompletableFuture<Map<TopicPartition, BrookException>> future;

  PartitionResults(CompletableFuture<Map<TopicPartition, BrookException>> future) {
    this.future = future;
  }

  /** Completes when this partition's result is known; fails with its error. */
  public CompletableFuture<Void> partitionResult(TopicPartition partition) {
    return future.thenApply(
        m -> {
          if (!m.containsKey(partition)) {
            throw new IllegalArgumentException(
                "Partition " + partition + " was not included in the original request");
          }
          BrookException e = m.get(partition);
          if (e != null) {
            throw e;
          }
          return null;
        });
  }

  /** Completes when every partition succeeded; fails with the first error. */
  public CompletableFuture<Void> all() {
    return future.thenApply(
        m -> {
          for (BrookException e : m.values()) {
            if (e != null) {
              throw e;
            }
          }
          return null;
        });
  }
}
