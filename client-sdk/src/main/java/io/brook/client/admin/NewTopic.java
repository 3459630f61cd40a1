package io.brook.client.admin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A topic to create: either a partition count and replication factor (each optional: the broker's
 * num.partitions / default.replication.factor when empty) or a manual replica assignment, plus
 * config overrides.
 */
public final class NewTopic {
  private final String name;
  private final Optional<Integer> numPartitions;
  private final Optional<Short> replicationFactor;
  private final Map<Integer, List<Integer>> replicasAssignments;
  private Map<String, String> configs = null;

  public NewTopic(String name, int numPartitions, short replicationFactor) {
    this(name, Optional.of(numPartitions), Optional.of(replicationFactor));
  }

  public NewTopic(String name, Optional<Integer> numPartitions, Optional<Short> replicationFactor) {
    this.name = Objects.requireNonNull(name, "name");
    this.numPartitions = numPartitions;
    this.replicationFactor = replicationFactor;
    this.replicasAssignments = null;
  }

  /**
   * @param replicasAssignments partition number to broker ids, preferred leader first
   */
  public NewTopic(String name, Map<Integer, List<Integer>> replicasAssignments) {
    this.name = Objects.requireNonNull(name, "name");
    this.numPartitions = Optional.empty();
    this.replicationFactor = Optional.empty();
    this.replicasAssignments = Map.copyOf(replicasAssignments);
  }

  public String name() {
    return name;
  }

  /** The partition count, or -1 for the broker's default (or when assignments are given). */
  public int numPartitions() {
    return numPartitions.orElse(-1);
  }

  /** The replication factor, or -1 for the broker's default (or when assignments are given). */
  public short replicationFactor() {
    return replicationFactor.orElse((short) -1);
  }

  /** The manual assignment, or null. */
  public Map<Integer, List<Integer>> replicasAssignments() {
    return replicasAssignments;
  }

  public NewTopic configs(Map<String, String> configs) {
    this.configs = configs == null ? null : new HashMap<>(configs);
    return this;
  }

  /** The config overrides, or null. */
  public Map<String, String> configs() {
    return configs;
  }

  @Override
  public String toString() {
    return "(name="
        + name
        + ", numPartitions="
        + numPartitions.map(String::valueOf).orElse("default")
        + ", replicationFactor="
        + replicationFactor.map(String::valueOf).orElse("default")
        + ", replicasAssignments="
        + replicasAssignments
        + ", configs="
        + configs
        + ")";
  }
}
