package io.brook.client.admin;

import io.brook.common.TopicPartition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The outcome of listOffsets, per partition, as Kafka's. */
public final class ListOffsetsResult {
  /**
   * The offset found (-1 for a timestamp no record reaches), its record's timestamp (-1 when not
   * applicable) and leader epoch.
   */
  public record ListOffsetsResultInfo(long offset, long timestamp, Optional<Integer> leaderEpoch) {}

  private final Map<TopicPartition, CompletableFuture<ListOffsetsResultInfo>> futures;

  public ListOffsetsResult(Map<TopicPartition, CompletableFuture<ListOffsetsResultInfo>> futures) {
    this.futures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(futures));
  }

  public CompletableFuture<ListOffsetsResultInfo> partitionResult(TopicPartition partition) {
    CompletableFuture<ListOffsetsResultInfo> f = futures.get(partition);
    if (f == null) {
      throw new IllegalArgumentException(
          "List Offsets for partition \"" + partition + "\" was not attempted");
    }
    return f;
  }

  public CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<TopicPartition, ListOffsetsResultInfo> out = new LinkedHashMap<>();
              futures.forEach((k, f) -> out.put(k, f.join()));
              return out;
            });
  }
}
