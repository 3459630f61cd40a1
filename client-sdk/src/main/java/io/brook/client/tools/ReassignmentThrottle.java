package io.brook.client.tools;

import io.brook.client.admin.Admin;
import io.brook.client.admin.AlterConfigOp;
import io.brook.client.admin.ConfigEntry;
import io.brook.client.admin.ConfigResource;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The replication throttle of a reassignment, as kafka-reassign-partitions.sh sets and clears it:
 * both {@code *.replication.throttled.rate} broker configs on every broker holding a current or
 * target replica of a moving partition; per moving topic, {@code
 * leader.replication.throttled.replicas} = the moving partitions' current replicas and {@code
 * follower.replication.throttled.replicas} = their adding replicas ({@code p:broker,...}). {@link
 * #plan} is pure; {@link #apply} and the clear methods write through the admin client.
 */
final class ReassignmentThrottle {
  static final String LEADER_RATE = "leader.replication.throttled.rate";
  static final String FOLLOWER_RATE = "follower.replication.throttled.rate";
  static final String LEADER_REPLICAS = "leader.replication.throttled.replicas";
  static final String FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";

  /** What to throttle: brokers, and per topic the two replica lists (absent when empty). */
  record Plan(
      Set<Integer> brokers,
      Map<String, String> leaderReplicas,
      Map<String, String> followerReplicas) {}

  private ReassignmentThrottle() {}

  /**
   * The throttle of moving {@code current} to {@code target}. Only partitions that gain a replica
   * copy data, so only they are throttled: a reorder or a removal completes at once, and a throttle
   * set for it would outlive it (the controller clears a partition's entries when its copy
   * completes).
   */
  static Plan plan(
      Map<TopicPartition, List<Integer>> current, Map<TopicPartition, List<Integer>> target) {
    Set<Integer> brokers = new TreeSet<>();
    Map<String, List<String>> leader = new TreeMap<>();
    Map<String, List<String>> follower = new TreeMap<>();
    for (Map.Entry<TopicPartition, List<Integer>> e : new TreeMap<>(target).entrySet()) {
      TopicPartition tp = e.getKey();
      List<Integer> now = current.getOrDefault(tp, List.of());
      if (now.containsAll(e.getValue())) {
        continue; // nothing to copy: unchanged, reordered, or only replicas removed
      }
      brokers.addAll(now);
      brokers.addAll(e.getValue());
      for (int r : now) {
        leader.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition() + ":" + r);
      }
      for (int r : e.getValue()) {
        if (!now.contains(r)) {
          follower
              .computeIfAbsent(tp.topic(), t -> new ArrayList<>())
              .add(tp.partition() + ":" + r);
        }
      }
    }
    return new Plan(brokers, joined(leader), joined(follower));
  }

  private static Map<String, String> joined(Map<String, List<String>> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((t, l) -> out.put(t, String.join(",", l)));
    return out;
  }

  /**
   * Sets the rates on the plan's brokers and the replica lists on its topics; with {@code
   * additional}, the lists are appended to (a reassignment already throttled keeps its entries).
   */
  static void apply(Admin admin, Plan plan, long rate, boolean additional, long timeoutMs)
      throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
    for (int b : plan.brokers()) {
      changes.put(
          new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(b)),
          List.of(set(LEADER_RATE, Long.toString(rate)), set(FOLLOWER_RATE, Long.toString(rate))));
    }
    AlterConfigOp.OpType listOp =
        additional ? AlterConfigOp.OpType.APPEND : AlterConfigOp.OpType.SET;
    Set<String> topics = new TreeSet<>(plan.leaderReplicas().keySet());
    topics.addAll(plan.followerReplicas().keySet());
    for (String t : topics) {
      List<AlterConfigOp> ops = new ArrayList<>();
      if (plan.leaderReplicas().containsKey(t)) {
        ops.add(op(LEADER_REPLICAS, plan.leaderReplicas().get(t), listOp));
      }
      if (plan.followerReplicas().containsKey(t)) {
        ops.add(op(FOLLOWER_REPLICAS, plan.followerReplicas().get(t), listOp));
      }
      changes.put(new ConfigResource(ConfigResource.Type.TOPIC, t), ops);
    }
    admin
        .incrementalAlterConfigs(changes)
        .all()
        .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
  }

  /** Deletes both rates on {@code brokers}. */
  static void clearBrokers(Admin admin, Collection<Integer> brokers, long timeoutMs)
      throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
    for (int b : new TreeSet<>(brokers)) {
      changes.put(
          new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(b)),
          List.of(delete(LEADER_RATE), delete(FOLLOWER_RATE)));
    }
    if (!changes.isEmpty()) {
      admin
          .incrementalAlterConfigs(changes)
          .all()
          .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** Deletes both replica lists on {@code topics}. */
  static void clearTopics(Admin admin, Collection<String> topics, long timeoutMs) throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
    for (String t : new TreeSet<>(topics)) {
      changes.put(
          new ConfigResource(ConfigResource.Type.TOPIC, t),
          List.of(delete(LEADER_REPLICAS), delete(FOLLOWER_REPLICAS)));
    }
    if (!changes.isEmpty()) {
      admin
          .incrementalAlterConfigs(changes)
          .all()
          .get(timeoutMs + ToolArgs.AWAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
    }
  }

  static String brokerList(Collection<Integer> brokers) {
    return new TreeSet<>(brokers).stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  private static AlterConfigOp set(String key, String value) {
    return op(key, value, AlterConfigOp.OpType.SET);
  }

  private static AlterConfigOp delete(String key) {
    return op(key, "", AlterConfigOp.OpType.DELETE);
  }

  private static AlterConfigOp op(String key, String value, AlterConfigOp.OpType type) {
    return new AlterConfigOp(new ConfigEntry(key, value), type);
  }
}
