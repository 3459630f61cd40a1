package io.brook.client.admin;

import java.util.List;

/** The target replicas of a partition, preferred leader first (Kafka's class). Immutable. */
public record NewPartitionReassignment(List<Integer> targetReplicas) {
  public NewPartitionReassignment {
    targetReplicas = List.copyOf(targetReplicas);
  }
}
