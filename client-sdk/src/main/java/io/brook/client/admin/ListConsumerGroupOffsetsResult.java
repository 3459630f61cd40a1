package io.brook.client.admin;

import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.common.TopicPartition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of listConsumerGroupOffsets, per group, as Kafka's: a partition asked for explicitly
 * that has no committed offset maps to null.
 */
public final class ListConsumerGroupOffsetsResult {
  private final Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> futures;

  public ListConsumerGroupOffsetsResult(
      Map<String, CompletableFuture<Map<TopicPartition, OffsetAndMetadata>>> futures) {
    this.futures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(futures));
  }

  /** The offsets of the only group asked for. */
  public CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> partitionsToOffsetAndMetadata() {
    if (futures.size() != 1) {
      throw new IllegalStateException(
          "Offsets from multiple consumer groups were requested. Use partitionsToOffsetAndMetadata(groupId)"
              + " instead to get future for a specific group.");
    }
    return futures.values().iterator().next();
  }

  public CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> partitionsToOffsetAndMetadata(
      String groupId) {
    CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> f = futures.get(groupId);
    if (f == null) {
      throw new IllegalArgumentException(
          "Offsets for consumer group '" + groupId + "' were not requested.");
    }
    return f;
  }

  public CompletableFuture<Map<String, Map<TopicPartition, OffsetAndMetadata>>> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<String, Map<TopicPartition, OffsetAndMetadata>> out = new LinkedHashMap<>();
              futures.forEach((k, f) -> out.put(k, f.join()));
              return out;
            });
  }
}
