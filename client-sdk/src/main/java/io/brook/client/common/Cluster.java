package io.brook.client.common;

import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the cluster as the client last saw it: live brokers, the controller, and
 * the partitions of the topics it asked about. Thread-safe.
 */
public final class Cluster {
  private final String clusterId;
  private final List<Node> nodes;
  private final Node controller;
  private final Map<Integer, Node> nodesById;
  private final Map<TopicPartition, PartitionInfo> partitionsByTp;
  private final Map<String, List<PartitionInfo>> partitionsByTopic;
  private final Map<String, List<PartitionInfo>> availableByTopic;
  private final Map<Integer, List<PartitionInfo>> partitionsByNode;
  private final Map<String, String> topicIds;
  private final Set<String> internalTopics;
  private final Map<String, Integer> leaderEpochs;

  public Cluster(
      String clusterId,
      Collection<Node> nodes,
      Collection<PartitionInfo> partitions,
      Set<String> internalTopics,
      Node controller) {
    this(clusterId, nodes, partitions, internalTopics, controller, Map.of(), Map.of());
  }

  /**
   * @param leaderEpochs "topic-partition" to leader epoch (may be empty)
   */
  public Cluster(
      String clusterId,
      Collection<Node> nodes,
      Collection<PartitionInfo> partitions,
      Set<String> internalTopics,
      Node controller,
      Map<String, String> topicIds,
      Map<String, Integer> leaderEpochs) {
    this.clusterId = clusterId;
    this.nodes = List.copyOf(nodes);
    this.controller = controller;
    Map<Integer, Node> byId = new HashMap<>();
    for (Node n : nodes) {
      byId.put(n.id(), n);
    }
    this.nodesById = Collections.unmodifiableMap(byId);
    Map<TopicPartition, PartitionInfo> byTp = new HashMap<>();
    Map<String, List<PartitionInfo>> byTopic = new HashMap<>();
    Map<String, List<PartitionInfo>> avail = new HashMap<>();
    Map<Integer, List<PartitionInfo>> byNode = new HashMap<>();
    for (PartitionInfo p : partitions) {
      byTp.put(new TopicPartition(p.topic(), p.partition()), p);
      byTopic.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p);
      avail.computeIfAbsent(p.topic(), t -> new ArrayList<>());
      if (p.leader() != null) {
        avail.get(p.topic()).add(p);
        byNode.computeIfAbsent(p.leader().id(), t -> new ArrayList<>()).add(p);
      }
    }
    byTopic.values().forEach(l -> l.sort((a, b) -> Integer.compare(a.partition(), b.partition())));
    avail.values().forEach(l -> l.sort((a, b) -> Integer.compare(a.partition(), b.partition())));
    this.partitionsByTp = Collections.unmodifiableMap(byTp);
    this.partitionsByTopic = freeze(byTopic);
    this.availableByTopic = freeze(avail);
    this.partitionsByNode = freeze(byNode);
    this.topicIds = Map.copyOf(topicIds);
    this.internalTopics = Set.copyOf(internalTopics);
    this.leaderEpochs = Map.copyOf(leaderEpochs);
  }

  private static <K> Map<K, List<PartitionInfo>> freeze(Map<K, List<PartitionInfo>> m) {
    Map<K, List<PartitionInfo>> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }

  public static Cluster empty() {
    return new Cluster(null, List.of(), List.of(), Set.of(), null);
  }

  /** A cluster that knows only the bootstrap addresses (negative ids). */
  public static Cluster bootstrap(List<Node> addresses) {
    return new Cluster(null, addresses, List.of(), Set.of(), null);
  }

  public String clusterId() {
    return clusterId;
  }

  public List<Node> nodes() {
    return nodes;
  }

  /** The active controller, or null when unknown. */
  public Node controller() {
    return controller;
  }

  public Node nodeById(int id) {
    return nodesById.get(id);
  }

  public PartitionInfo partition(TopicPartition tp) {
    return partitionsByTp.get(tp);
  }

  /** The leader of {@code tp}, or null when unknown or offline. */
  public Node leaderFor(TopicPartition tp) {
    PartitionInfo p = partitionsByTp.get(tp);
    return p == null ? null : p.leader();
  }

  /** The leader epoch of {@code tp}, or -1. */
  public int leaderEpochFor(TopicPartition tp) {
    return leaderEpochs.getOrDefault(tp.toString(), -1);
  }

  public List<PartitionInfo> partitionsForTopic(String topic) {
    return partitionsByTopic.getOrDefault(topic, List.of());
  }

  public List<PartitionInfo> availablePartitionsForTopic(String topic) {
    return availableByTopic.getOrDefault(topic, List.of());
  }

  public List<PartitionInfo> partitionsForNode(int nodeId) {
    return partitionsByNode.getOrDefault(nodeId, List.of());
  }

  /** The number of partitions, or null when the topic is not known. */
  public Integer partitionCountForTopic(String topic) {
    List<PartitionInfo> l = partitionsByTopic.get(topic);
    return l == null ? null : l.size();
  }

  public Set<String> topics() {
    return partitionsByTopic.keySet();
  }

  public Set<String> internalTopics() {
    return internalTopics;
  }

  /** The topic's id as the broker reported it, or null. */
  public String topicId(String topic) {
    return topicIds.get(topic);
  }

  @Override
  public String toString() {
    return "Cluster(id = "
        + clusterId
        + ", nodes = "
        + nodes
        + ", partitions = "
        + partitionsByTp.values()
        + ", controller = "
        + controller
        + ")";
  }
}
