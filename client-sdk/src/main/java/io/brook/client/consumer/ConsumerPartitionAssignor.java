package io.brook.client.consumer;

import io.brook.client.common.Cluster;
import io.brook.common.TopicPartition;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A client-side assignor, as Kafka's {@code ConsumerPartitionAssignor}: the group's leader member
 * runs {@link #assign} over every member's subscription; every member then gets its {@link
 * Assignment}. Configured by class name in {@code partition.assignment.strategy}; the built-in ones
 * are {@code RangeAssignor} ("range"), {@code RoundRobinAssignor} ("roundrobin"), {@code
 * StickyAssignor} ("sticky") and {@code CooperativeStickyAssignor} ("cooperative-sticky").
 *
 * <p>Implementations are pure functions of their input plus what {@link #onAssignment} tells them,
 * and must give every subscribed partition to exactly one member that subscribes to its topic.
 */
public interface ConsumerPartitionAssignor {

  /** What this member sends to the leader in JoinGroup for this assignor (null: nothing). */
  default ByteBuffer subscriptionUserData(Set<String> topics) {
    return null;
  }

  /**
   * The assignment of every member.
   *
   * @param metadata the cluster as the leader sees it (partition counts of subscribed topics)
   * @param groupSubscription every member's subscription, by member id
   */
  GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription);

  /** Called on every member when it receives its assignment. */
  default void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {}

  /** The rebalance protocols supported, in order of preference. */
  default List<RebalanceProtocol> supportedProtocols() {
    return List.of(RebalanceProtocol.EAGER);
  }

  default short version() {
    return 0;
  }

  /** The protocol name in JoinGroup: "range", "roundrobin", "sticky", "cooperative-sticky". */
  String name();

  /** EAGER: revoke everything before rejoining; COOPERATIVE: revoke only what moves (KIP-429). */
  enum RebalanceProtocol {
    EAGER((byte) 0),
    COOPERATIVE((byte) 1);

    private final byte id;

    RebalanceProtocol(byte id) {
      this.id = id;
    }

    public byte id() {
      return id;
    }
  }

  /** One member's subscription, as the leader receives it. */
  final class Subscription {
    private final List<String> topics;
    private final ByteBuffer userData;
    private final List<TopicPartition> ownedPartitions;
    private final Optional<String> groupInstanceId;
    private final Optional<Integer> generationId;
    private final Optional<String> rackId;

    public Subscription(
        List<String> topics,
        ByteBuffer userData,
        List<TopicPartition> ownedPartitions,
        int generationId,
        Optional<String> rackId) {
      this.topics = List.copyOf(topics);
      this.userData = userData;
      this.ownedPartitions = List.copyOf(ownedPartitions);
      this.groupInstanceId = Optional.empty();
      this.generationId = generationId < 0 ? Optional.empty() : Optional.of(generationId);
      this.rackId = Objects.requireNonNull(rackId);
    }

    private Subscription(Subscription s, Optional<String> groupInstanceId) {
      this.topics = s.topics;
      this.userData = s.userData;
      this.ownedPartitions = s.ownedPartitions;
      this.groupInstanceId = groupInstanceId;
      this.generationId = s.generationId;
      this.rackId = s.rackId;
    }

    public Subscription(List<String> topics, ByteBuffer userData, List<TopicPartition> owned) {
      this(topics, userData, owned, -1, Optional.empty());
    }

    public Subscription(List<String> topics, ByteBuffer userData) {
      this(topics, userData, Collections.emptyList());
    }

    public Subscription(List<String> topics) {
      this(topics, null);
    }

    /** The same subscription, with the member's group.instance.id (set by the coordinator side). */
    public Subscription withGroupInstanceId(Optional<String> id) {
      return new Subscription(this, id);
    }

    public List<String> topics() {
      return topics;
    }

    public ByteBuffer userData() {
      return userData;
    }

    public List<TopicPartition> ownedPartitions() {
      return ownedPartitions;
    }

    public Optional<String> groupInstanceId() {
      return groupInstanceId;
    }

    public Optional<Integer> generationId() {
      return generationId;
    }

    public Optional<String> rackId() {
      return rackId;
    }

    @Override
    public String toString() {
      return "Subscription(topics="
          + topics
          + ", ownedPartitions="
          + ownedPartitions
          + ", groupInstanceId="
          + groupInstanceId.orElse("null")
          + ", generationId="
          + generationId.orElse(-1)
          + ", rackId="
          + rackId.orElse("null")
          + ")";
    }
  }

  /** One member's assignment. */
  final class Assignment {
    private final List<TopicPartition> partitions;
    private final ByteBuffer userData;

    public Assignment(List<TopicPartition> partitions, ByteBuffer userData) {
      this.partitions = List.copyOf(partitions);
      this.userData = userData;
    }

    public Assignment(List<TopicPartition> partitions) {
      this(partitions, null);
    }

    public List<TopicPartition> partitions() {
      return partitions;
    }

    public ByteBuffer userData() {
      return userData;
    }

    @Override
    public String toString() {
      return "Assignment(partitions=" + partitions + ")";
    }
  }

  /** Every member's subscription, by member id. */
  final class GroupSubscription {
    private final Map<String, Subscription> subscriptions;

    public GroupSubscription(Map<String, Subscription> subscriptions) {
      this.subscriptions = subscriptions;
    }

    public Map<String, Subscription> groupSubscription() {
      return subscriptions;
    }
  }

  /** Every member's assignment, by member id. */
  final class GroupAssignment {
    private final Map<String, Assignment> assignments;

    public GroupAssignment(Map<String, Assignment> assignments) {
      this.assignments = assignments;
    }

    public Map<String, Assignment> groupAssignment() {
      return assignments;
    }
  }
}
