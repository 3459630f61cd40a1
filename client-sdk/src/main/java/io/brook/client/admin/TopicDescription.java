package io.brook.client.admin;

import java.util.List;
import java.util.Objects;

/** A topic's name, id, internal flag and partitions. Immutable. */
public final class TopicDescription {
  private final String name;
  private final boolean internal;
  private final List<TopicPartitionInfo> partitions;
  private final String topicId;

  public TopicDescription(
      String name, boolean internal, List<TopicPartitionInfo> partitions, String topicId) {
    this.name = name;
    this.internal = internal;
    this.partitions = List.copyOf(partitions);
    this.topicId = topicId;
  }

  public String name() {
    return name;
  }

  public boolean isInternal() {
    return internal;
  }

  /** The partitions, ordered by partition number. */
  public List<TopicPartitionInfo> partitions() {
    return partitions;
  }

  /** The topic id as the cluster stores it (a UUID string). */
  public String topicId() {
    return topicId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicDescription t
        && name.equals(t.name)
        && internal == t.internal
        && partitions.equals(t.partitions)
        && Objects.equals(topicId, t.topicId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, internal, partitions, topicId);
  }

  @Override
  public String toString() {
    return "(name="
        + name
        + ", internal="
        + internal
        + ", partitions="
        + partitions
        + ", topicId="
        + topicId
        + ")";
  }
}
