package io.brook.client.admin;

import io.brook.common.TopicPartition;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of alterPartitionReassignments, per partition (Kafka's class): a future completes
 * when the controller recorded the move (or the cancel), not when the move is done; it fails with
 * InvalidReplicaAssignmentException, UnknownTopicOrPartitionException,
 * NoReassignmentInProgressException, ... with the controller's message. The controller refuses a
 * plan as a whole: when one partition is bad, the others fail with InvalidRequestException ("not
 * applied: ...").
 */
public final class AlterPartitionReassignmentsResult {
  private final Map<TopicPartition, CompletableFuture<Void>> futures;

  public AlterPartitionReassignmentsResult(Map<TopicPartition, CompletableFuture<Void>> futures) {
    this.futures = Map.copyOf(futures);
  }

  public Map<TopicPartition, CompletableFuture<Void>> values() {
    return futures;
  }

  public CompletableFuture<Void> all() {
    return CompletableFuture.allOf(futures.values().toArray(new CompletableFuture<?>[0]));
  }
}
