package io.brook.broker.server;

import io.brook.common.TopicPartition;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataTopic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The cluster as the controller last described it to this broker through UpdateMetadata: live
 * brokers, the active controller, every topic with its configs and partition states. Clients'
 * Metadata, DescribeCluster and DescribeConfigs are answered from it.
 *
 * <p>Invariant: readers always see one whole {@link Snapshot} (never half of an update). Thread
 * rules: {@link #update} is called by one writer at a time (it is synchronized) and tells the
 * deleted-partitions listener on that thread; every reader method is lock-free and may be called
 * from any thread.
 */
public final class MetadataCache {

  /** One topic as the controller described it. Immutable. */
  public record TopicView(
      String name,
      String topicId,
      boolean isInternal,
      Map<String, String> configs,
      SortedMap<Integer, PartitionState> partitions) {}

  /** An immutable view of the whole cluster. */
  public record Snapshot(
      String clusterId,
      int controllerId,
      int controllerEpoch,
      Map<Integer, BrokerEndpoint> liveBrokers,
      Map<String, TopicView> topics) {
    static final Snapshot EMPTY = new Snapshot("", -1, -1, Map.of(), Map.of());
  }

  private volatile Snapshot snapshot = Snapshot.EMPTY;

  /** Told about the partitions of topics that an update removed (deleted, or re-created). */
  private volatile Consumer<Collection<TopicPartition>> deletedPartitionsListener = tps -> {};

  /**
   * Sets who is told, after an {@link #update}, about the partitions of every topic it removed or
   * replaced by a topic of the same name with another id (the group coordinator drops their
   * committed offsets). Called on the updating thread; must not block.
   */
  public void setDeletedPartitionsListener(Consumer<Collection<TopicPartition>> listener) {
    this.deletedPartitionsListener = listener == null ? tps -> {} : listener;
  }

  /** The current view. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Applies an UpdateMetadata request: a full one replaces the whole view; a delta replaces the
   * topics it lists and removes its deleted topics. Live brokers are replaced whenever the request
   * lists any (the controller always sends the whole set). The caller has already checked epochs.
   */
  public synchronized void update(UpdateMetadataRequest req) {
    Snapshot old = snapshot;
    Map<String, TopicView> topics = req.getFull() ? new HashMap<>() : new HashMap<>(old.topics());
    for (String deleted : req.getDeletedTopicsList()) {
      topics.remove(deleted);
    }
    for (UpdateMetadataTopic t : req.getTopicsList()) {
      SortedMap<Integer, PartitionState> parts = new TreeMap<>();
      for (PartitionState p : t.getPartitionsList()) {
        parts.put(p.getPartition(), p);
      }
      topics.put(
          t.getTopic(),
          new TopicView(
              t.getTopic(),
              t.getTopicId(),
              t.getIsInternal(),
              Map.copyOf(t.getConfigsMap()),
              Collections.unmodifiableSortedMap(parts)));
    }
    Map<Integer, BrokerEndpoint> brokers = old.liveBrokers();
    if (req.getFull() || req.getLiveBrokersCount() > 0) {
      Map<Integer, BrokerEndpoint> b = new TreeMap<>();
      req.getLiveBrokersList().forEach(e -> b.put(e.getId(), e));
      brokers = Collections.unmodifiableMap(b);
    }
    String clusterId = req.getClusterId().isEmpty() ? old.clusterId() : req.getClusterId();
    snapshot =
        new Snapshot(
            clusterId,
            req.getControllerId(),
            req.getControllerEpoch(),
            brokers,
            Collections.unmodifiableMap(topics));
    List<TopicPartition> deleted = new ArrayList<>();
    for (TopicView before : old.topics().values()) {
      TopicView after = topics.get(before.name());
      if (after == null || !after.topicId().equals(before.topicId())) {
        before
            .partitions()
            .keySet()
            .forEach(p -> deleted.add(new TopicPartition(before.name(), p)));
      }
    }
    if (!deleted.isEmpty()) {
      deletedPartitionsListener.accept(List.copyOf(deleted));
    }
  }

  /** Records the cluster id read from ZooKeeper at start, before any UpdateMetadata. */
  public synchronized void setClusterId(String clusterId) {
    Snapshot s = snapshot;
    snapshot =
        new Snapshot(clusterId, s.controllerId(), s.controllerEpoch(), s.liveBrokers(), s.topics());
  }

  public Optional<TopicView> topic(String name) {
    return Optional.ofNullable(snapshot.topics().get(name));
  }

  public Optional<PartitionState> partition(TopicPartition tp) {
    TopicView t = snapshot.topics().get(tp.topic());
    return t == null ? Optional.empty() : Optional.ofNullable(t.partitions().get(tp.partition()));
  }

  public boolean contains(TopicPartition tp) {
    return partition(tp).isPresent();
  }

  public Collection<BrokerEndpoint> liveBrokers() {
    return snapshot.liveBrokers().values();
  }

  public Optional<BrokerEndpoint> broker(int id) {
    return Optional.ofNullable(snapshot.liveBrokers().get(id));
  }

  public int controllerId() {
    return snapshot.controllerId();
  }

  public String clusterId() {
    return snapshot.clusterId();
  }
}
