package io.brook.client.consumer.internals;

import io.brook.client.common.Cluster;
import io.brook.client.consumer.ConsumerPartitionAssignor;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The common part of the built-in assignors, as Kafka's {@code AbstractPartitionAssignor}: turns
 * the leader's {@link Cluster} into a partition count per subscribed topic and every member's
 * subscription into one call of {@link #assign(Map, Map)}, then wraps the result.
 *
 * <p>Invariants of the result: every member of the group subscription gets an {@link Assignment}
 * (possibly empty); topics the leader has no metadata for are skipped (as Kafka: logged, not
 * assigned); every partition list is sorted, so the result does not depend on hash order.
 *
 * <p>Thread rules: {@link #assign(Cluster, GroupSubscription)} is called by the consumer's
 * coordinator on one thread at a time; subclasses holding state (the sticky ones) rely on that.
 */
public abstract class AbstractPartitionAssignor implements ConsumerPartitionAssignor {
  private static final Logger LOG = LogManager.getLogger(AbstractPartitionAssignor.class);

  /** Orders partitions by topic then partition number: the order every assignor works in. */
  public static final Comparator<TopicPartition> PARTITION_ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  /**
   * The assignment, by member id, given the partition count of every subscribed topic that has
   * metadata and every member's subscription (by member id).
   */
  public abstract Map<String, List<TopicPartition>> assign(
      Map<String, Integer> partitionsPerTopic, Map<String, Subscription> subscriptions);

  @Override
  public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
    Map<String, Subscription> subscriptions = groupSubscription.groupSubscription();
    Set<String> allSubscribedTopics = new TreeSet<>();
    for (Subscription s : subscriptions.values()) {
      allSubscribedTopics.addAll(s.topics());
    }
    Map<String, Integer> partitionsPerTopic = new TreeMap<>();
    for (String topic : allSubscribedTopics) {
      Integer count = metadata.partitionCountForTopic(topic);
      if (count != null && count > 0) {
        partitionsPerTopic.put(topic, count);
      } else {
        LOG.debug("Skipping assignment for topic {} since no metadata is available", topic);
      }
    }
    Map<String, List<TopicPartition>> raw = assign(partitionsPerTopic, subscriptions);
    Map<String, Assignment> assignments = new HashMap<>();
    for (String member : subscriptions.keySet()) {
      List<TopicPartition> partitions = new ArrayList<>(raw.getOrDefault(member, List.of()));
      partitions.sort(PARTITION_ORDER);
      assignments.put(member, new Assignment(partitions));
    }
    return new GroupAssignment(assignments);
  }

  /** The partitions of {@code topic} numbered 0 to {@code count - 1}. */
  public static List<TopicPartition> partitions(String topic, int count) {
    List<TopicPartition> out = new ArrayList<>(count);
    for (int p = 0; p < count; p++) {
      out.add(new TopicPartition(topic, p));
    }
    return out;
  }

  /**
   * A member id with its group.instance.id, ordered as Kafka's {@code MemberInfo}: static members
   * (with a group.instance.id) first, by instance id, then dynamic members by member id. Ordering
   * by instance id keeps a restarted static member's range/round-robin share unchanged although its
   * member id changed (KIP-345).
   */
  public record MemberInfo(String memberId, Optional<String> groupInstanceId)
      implements Comparable<MemberInfo> {
    @Override
    public int compareTo(MemberInfo o) {
      if (groupInstanceId.isPresent() && o.groupInstanceId.isPresent()) {
        int c = groupInstanceId.get().compareTo(o.groupInstanceId.get());
        return c != 0 ? c : memberId.compareTo(o.memberId);
      } else if (groupInstanceId.isPresent()) {
        return -1;
      } else if (o.groupInstanceId.isPresent()) {
        return 1;
      }
      return memberId.compareTo(o.memberId);
    }
  }
}
