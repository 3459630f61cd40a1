package io.brook.client.consumer;

import io.brook.client.consumer.internals.AbstractPartitionAssignor;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's round-robin assignor ("roundrobin"): every partition of every subscribed topic, topics in
 * name order and partitions in number order, is dealt in turn to the members in {@link MemberInfo}
 * order (static members by group.instance.id first, then member id), skipping members not
 * subscribed to the partition's topic.
 *
 * <p>With identical subscriptions the partition counts of any two members differ by at most one.
 * With different subscriptions it is not necessarily balanced: with C0 on t0, C1 on t0 and t1, C2
 * on t0, t1 and t2 (1, 2 and 3 partitions) C0 gets t0p0, C1 t1p0, C2 t1p1, t2p0, t2p1, t2p2.
 *
 * <p>Stateless and thread-safe.
 */
public class RoundRobinAssignor extends AbstractPartitionAssignor {
  public static final String ROUNDROBIN_ASSIGNOR_NAME = "roundrobin";

  @Override
  public String name() {
    return ROUNDROBIN_ASSIGNOR_NAME;
  }

  @Override
  public Map<String, List<TopicPartition>> assign(
      Map<String, Integer> partitionsPerTopic, Map<String, Subscription> subscriptions) {
    Map<String, List<TopicPartition>> assignment = new HashMap<>();
    List<MemberInfo> members = new ArrayList<>();
    Map<String, Set<String>> topicsByMember = new HashMap<>();
    for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
      assignment.put(e.getKey(), new ArrayList<>());
      members.add(new MemberInfo(e.getKey(), e.getValue().groupInstanceId()));
      topicsByMember.put(e.getKey(), new HashSet<>(e.getValue().topics()));
    }
    if (members.isEmpty()) {
      return assignment;
    }
    members.sort(null);
    // partitionsPerTopic iterates topics in name order (a sorted map from the base class); sort
    // anyway so a direct caller with a hash map gets the same answer.
    List<String> topics = new ArrayList<>(partitionsPerTopic.keySet());
    topics.sort(null);
    int next = 0;
    for (String topic : topics) {
      if (topicsByMember.values().stream().noneMatch(t -> t.contains(topic))) {
        continue;
      }
      for (TopicPartition tp : partitions(topic, partitionsPerTopic.get(topic))) {
        // Some member subscribes to the topic, so this ends within one turn of the circle.
        while (!topicsByMember.get(members.get(next).memberId()).contains(topic)) {
          next = (next + 1) % members.size();
        }
        assignment.get(members.get(next).memberId()).add(tp);
        next = (next + 1) % members.size();
      }
    }
    return assignment;
  }
}
