package io.brook.client.consumer;

import io.brook.client.consumer.internals.AbstractPartitionAssignor;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's range assignor ("range"): topic by topic, the members subscribed to the topic, in {@link
 * MemberInfo} order (static members by group.instance.id first, then member id), get consecutive
 * ranges of its partitions; with {@code P} partitions and {@code N} members each gets {@code P / N}
 * and the first {@code P % N} one more.
 *
 * <p>Example: members C0 and C1 both subscribed to t0 and t1 with 3 partitions each: C0 gets t0p0,
 * t0p1, t1p0, t1p1 and C1 gets t0p2, t1p2. Ranges are computed per topic, so with many topics of
 * few partitions the first members carry more (that is the algorithm, as Kafka's).
 *
 * <p>Stateless and thread-safe. Not rack-aware (Kafka's KIP-881 rack matching is not implemented).
 */
public class RangeAssignor extends AbstractPartitionAssignor {
  public static final String RANGE_ASSIGNOR_NAME = "range";

  @Override
  public String name() {
    return RANGE_ASSIGNOR_NAME;
  }

  @Override
  public Map<String, List<TopicPartition>> assign(
      Map<String, Integer> partitionsPerTopic, Map<String, Subscription> subscriptions) {
    Map<String, List<MemberInfo>> consumersPerTopic = new TreeMap<>();
    Map<String, List<TopicPartition>> assignment = new HashMap<>();
    for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
      assignment.put(e.getKey(), new ArrayList<>());
      MemberInfo member = new MemberInfo(e.getKey(), e.getValue().groupInstanceId());
      for (String topic : e.getValue().topics()) {
        consumersPerTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(member);
      }
    }
    for (Map.Entry<String, List<MemberInfo>> e : consumersPerTopic.entrySet()) {
      String topic = e.getKey();
      Integer numPartitionsForTopic = partitionsPerTopic.get(topic);
      if (numPartitionsForTopic == null) {
        continue;
      }
      List<MemberInfo> consumers = e.getValue();
      consumers.sort(null);
      int numPartitionsPerConsumer = numPartitionsForTopic / consumers.size();
      int consumersWithExtraPartition = numPartitionsForTopic % consumers.size();
      List<TopicPartition> partitions = partitions(topic, numPartitionsForTopic);
      for (int i = 0; i < consumers.size(); i++) {
        int start = numPartitionsPerConsumer * i + Math.min(i, consumersWithExtraPartition);
        int length = numPartitionsPerConsumer + (i < consumersWithExtraPartition ? 1 : 0);
        assignment
            .get(consumers.get(i).memberId())
            .addAll(partitions.subList(start, start + length));
      }
    }
    return assignment;
  }
}
