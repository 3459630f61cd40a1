package io.brook.client.consumer;

import io.brook.client.common.Cluster;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Small assignors for the consumer's tests (the built-in ones are another helper's and are loaded
 * by class name at run time). Both are deterministic.
 */
final class TestAssignors {
  private TestAssignors() {}

  static List<TopicPartition> partitions(Cluster cluster, Set<String> topics) {
    List<TopicPartition> all = new ArrayList<>();
    for (String t : new TreeSet<>(topics)) {
      Integer n = cluster.partitionCountForTopic(t);
      for (int p = 0; n != null && p < n; p++) {
        all.add(new TopicPartition(t, p));
      }
    }
    return all;
  }

  static Set<String> allTopics(ConsumerPartitionAssignor.GroupSubscription gs) {
    Set<String> topics = new HashSet<>();
    gs.groupSubscription().values().forEach(s -> topics.addAll(s.topics()));
    return topics;
  }

  /** EAGER: every partition round-robin over the members (sorted by id) that subscribe to it. */
  public static final class Eager implements ConsumerPartitionAssignor {
    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription gs) {
      Map<String, List<TopicPartition>> out = new TreeMap<>();
      List<String> members = new ArrayList<>(new TreeSet<>(gs.groupSubscription().keySet()));
      members.forEach(m -> out.put(m, new ArrayList<>()));
      int i = 0;
      for (TopicPartition tp : partitions(metadata, allTopics(gs))) {
        for (int k = 0; k < members.size(); k++) {
          String m = members.get((i + k) % members.size());
          if (gs.groupSubscription().get(m).topics().contains(tp.topic())) {
            out.get(m).add(tp);
            i = (i + k + 1) % members.size();
            break;
          }
        }
      }
      Map<String, Assignment> a = new HashMap<>();
      out.forEach((m, l) -> a.put(m, new Assignment(l)));
      return new GroupAssignment(a);
    }

    @Override
    public String name() {
      return "test-eager";
    }
  }

  /**
   * COOPERATIVE: members keep what they own up to their fair share; a partition taken from its
   * owner is left unassigned in this generation (revoke first, assign in the next rebalance).
   * Assumes every member subscribes to the same topics.
   */
  public static final class Cooperative implements ConsumerPartitionAssignor {
    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription gs) {
      List<String> members = new ArrayList<>(new TreeSet<>(gs.groupSubscription().keySet()));
      List<TopicPartition> all = partitions(metadata, allTopics(gs));
      int quota = (all.size() + members.size() - 1) / Math.max(1, members.size());
      Map<String, List<TopicPartition>> out = new TreeMap<>();
      Map<TopicPartition, String> owner = new HashMap<>();
      Set<TopicPartition> released = new HashSet<>();
      for (String m : members) {
        List<TopicPartition> keep = new ArrayList<>();
        List<TopicPartition> owned =
            new ArrayList<>(gs.groupSubscription().get(m).ownedPartitions());
        owned.sort(Comparator.comparing(TopicPartition::toString));
        for (TopicPartition tp : owned) {
          if (!all.contains(tp) || owner.containsKey(tp)) {
            continue;
          }
          if (keep.size() < quota) {
            keep.add(tp);
            owner.put(tp, m);
          } else {
            released.add(tp);
          }
        }
        out.put(m, keep);
      }
      for (TopicPartition tp : all) {
        if (owner.containsKey(tp) || released.contains(tp)) {
          continue;
        }
        String least =
            members.stream().min(Comparator.comparingInt(m -> out.get(m).size())).orElseThrow();
        out.get(least).add(tp);
        owner.put(tp, least);
      }
      Map<String, Assignment> a = new HashMap<>();
      out.forEach((m, l) -> a.put(m, new Assignment(l)));
      return new GroupAssignment(a);
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
      return List.of(RebalanceProtocol.COOPERATIVE, RebalanceProtocol.EAGER);
    }

    @Override
    public String name() {
      return "test-cooperative";
    }
  }
}
