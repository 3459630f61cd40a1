package io.brook.client.admin;

import io.brook.common.TopicPartition;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The reassignments in progress (Kafka's class); partitions not being moved are absent. */
public final class ListPartitionReassignmentsResult {
  private final CompletableFuture<Map<TopicPartition, PartitionReassignment>> future;

  public ListPartitionReassignmentsResult(
      CompletableFuture<Map<TopicPartition, PartitionReassignment>> future) {
    this.future = future;
  }

  public CompletableFuture<Map<TopicPartition, PartitionReassignment>> reassignments() {
    return future;
  }
}
