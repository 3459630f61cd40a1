package io.brook.client.admin;

import io.brook.client.common.Node;
import java.util.List;
import java.util.Objects;

/** One partition in a {@link TopicDescription}. Immutable. */
public final class TopicPartitionInfo {
  private final int partition;
  private final Node leader;
  private final List<Node> replicas;
  private final List<Node> isr;

  /**
   * @param leader the leader, or null when the partition is offline
   */
  public TopicPartitionInfo(int partition, Node leader, List<Node> replicas, List<Node> isr) {
    this.partition = partition;
    this.leader = leader;
    this.replicas = List.copyOf(replicas);
    this.isr = List.copyOf(isr);
  }

  public int partition() {
    return partition;
  }

  /** The leader, or null when none. */
  public Node leader() {
    return leader;
  }

  public List<Node> replicas() {
    return replicas;
  }

  public List<Node> isr() {
    return isr;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicPartitionInfo t
        && partition == t.partition
        && Objects.equals(leader, t.leader)
        && replicas.equals(t.replicas)
        && isr.equals(t.isr);
  }

  @Override
  public int hashCode() {
    return Objects.hash(partition, leader, replicas, isr);
  }

  @Override
  public String toString() {
    return "(partition="
        + partition
        + ", leader="
        + leader
        + ", replicas="
        + replicas
        + ", isr="
        + isr
        + ")";
  }
}
