package io.brook.client.admin;

import java.util.List;

/**
 * How to add partitions to a topic (Kafka's {@code NewPartitions}): the new total count and,
 * optionally, the replicas of each new partition (in partition order, preferred leader first).
 * Immutable.
 */
public final class NewPartitions {
  private final int totalCount;
  private final List<List<Integer>> newAssignments;

  private NewPartitions(int totalCount, List<List<Integer>> newAssignments) {
    this.totalCount = totalCount;
    this.newAssignments = newAssignments == null ? null : copy(newAssignments);
  }

  /** Increase the partition count to {@code totalCount}, placing the new replicas automatically. */
  public static NewPartitions increaseTo(int totalCount) {
    return new NewPartitions(totalCount, null);
  }

  /**
   * Increase the partition count to {@code totalCount} with the given replicas for the new
   * partitions: {@code newAssignments.get(i)} are the broker ids of partition {@code current + i}.
   */
  public static NewPartitions increaseTo(int totalCount, List<List<Integer>> newAssignments) {
    return new NewPartitions(totalCount, newAssignments);
  }

  public int totalCount() {
    return totalCount;
  }

  /** The new partitions' replicas, or null for automatic placement. */
  public List<List<Integer>> assignments() {
    return newAssignments;
  }

  private static List<List<Integer>> copy(List<List<Integer>> in) {
    return in.stream().map(List::copyOf).toList();
  }

  @Override
  public String toString() {
    return "(totalCount=" + totalCount + ", newAssignments=" + newAssignments + ")";
  }
}
