package io.brook.client.common;

import java.util.Arrays;
import java.util.Objects;

/**
 * A partition of a topic as the metadata describes it: leader (null when offline), replicas,
 * in-sync replicas and offline replicas. Immutable; the arrays are not copied and must not be
 * modified.
 */
public final class PartitionInfo {
  private final String topic;
  private final int partition;
  private final Node leader;
  private final Node[] replicas;
  private final Node[] inSyncReplicas;
  private final Node[] offlineReplicas;

  public PartitionInfo(
      String topic, int partition, Node leader, Node[] replicas, Node[] inSyncReplicas) {
    this(topic, partition, leader, replicas, inSyncReplicas, new Node[0]);
  }

  public PartitionInfo(
      String topic,
      int partition,
      Node leader,
      Node[] replicas,
      Node[] inSyncReplicas,
      Node[] offlineReplicas) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.partition = partition;
    this.leader = leader;
    this.replicas = replicas;
    this.inSyncReplicas = inSyncReplicas;
    this.offlineReplicas = offlineReplicas;
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return partition;
  }

  /** The leader, or null when the partition is offline. */
  public Node leader() {
    return leader;
  }

  public Node[] replicas() {
    return replicas;
  }

  public Node[] inSyncReplicas() {
    return inSyncReplicas;
  }

  public Node[] offlineReplicas() {
    return offlineReplicas;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PartitionInfo p)) {
      return false;
    }
    return partition == p.partition
        && topic.equals(p.topic)
        && Objects.equals(leader, p.leader)
        && Arrays.equals(replicas, p.replicas)
        && Arrays.equals(inSyncReplicas, p.inSyncReplicas)
        && Arrays.equals(offlineReplicas, p.offlineReplicas);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, leader);
  }

  @Override
  public String toString() {
    return String.format(
        "Partition(topic = %s, partition = %d, leader = %s, replicas = %s, isr = %s, offlineReplicas = %s)",
        topic,
        partition,
        leader == null ? "none" : leader.idString(),
        ids(replicas),
        ids(inSyncReplicas),
        ids(offlineReplicas));
  }

  private static String ids(Node[] nodes) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < nodes.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(nodes[i].idString());
    }
    return b.append(']').toString();
  }
}
