package io.brook.client.admin;

import java.util.List;

/**
 * A reassignment in progress (Kafka's class): every replica the partition has now (the target
 * replicas followed by the removing ones), the replicas being added and those being removed.
 * Immutable.
 */
public record PartitionReassignment(
    List<Integer> replicas, List<Integer> addingReplicas, List<Integer> removingReplicas) {
  public PartitionReassignment {
    replicas = List.copyOf(replicas);
    addingReplicas = List.copyOf(addingReplicas);
    removingReplicas = List.copyOf(removingReplicas);
  }
}
