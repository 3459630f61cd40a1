package io.brook.controller;

import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.metadata.BrokerInfo;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.config.TopicConfigs;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataTopic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The active controller's view of the cluster: live brokers, topic assignments and configs, and
 * every partition's leader and ISR as last written to ZooKeeper; plus the builders of the requests
 * that tell brokers about it.
 *
 * <p>Not thread-safe: owned by the controller's event thread (one instance per controller epoch).
 * Invariant: {@code states} holds exactly the partitions of {@code topics}, each with the partition
 * epoch (znode version) of its last write.
 */
final class ControllerContext {
  final int controllerId;
  final int epoch;
  String clusterId = "";
  final TreeMap<Integer, BrokerInfo> liveBrokers = new TreeMap<>();
  final Set<Integer> shuttingDown = new HashSet<>();
  final TreeMap<String, TopicAssignment> topics = new TreeMap<>();
  final Map<String, Map<String, String>> configs = new HashMap<>();
  final Map<TopicPartition, LeaderAndIsr> states = new HashMap<>();

  ControllerContext(int controllerId, int epoch) {
    this.controllerId = controllerId;
    this.epoch = epoch;
  }

  Set<Integer> liveIds() {
    return new TreeSet<>(liveBrokers.keySet());
  }

  /** Live brokers that may lead: live and not shutting down. */
  Set<Integer> eligibleIds() {
    Set<Integer> s = liveIds();
    s.removeAll(shuttingDown);
    return s;
  }

  List<Integer> replicas(TopicPartition tp) {
    TopicAssignment a = topics.get(tp.topic());
    return a == null ? List.of() : a.replicasOf(tp.partition());
  }

  /**
   * Dynamic broker configs that apply to this controller's decisions: {@code
   * /config/brokers/<default>} and {@code /config/brokers/<own id>}, read at activation and kept
   * current by the config changes this controller writes.
   */
  Map<String, String> dynamicDefault = Map.of();

  Map<String, String> dynamicOwn = Map.of();

  /**
   * {@code unclean.leader.election.enable} for {@code topic}: the topic override, else this
   * broker's dynamic config, else the cluster-wide dynamic default, else the static property.
   */
  boolean uncleanAllowed(String topic, Map<String, String> brokerProps) {
    String key = TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE;
    String v = configs.getOrDefault(topic, Map.of()).get(key);
    if (v == null) {
      v = dynamicOwn.get(key);
    }
    if (v == null) {
      v = dynamicDefault.get(key);
    }
    if (v == null) {
      v = brokerProps.getOrDefault(key, "false");
    }
    return Boolean.parseBoolean(v.trim());
  }

  void removeTopic(String topic) {
    TopicAssignment a = topics.remove(topic);
    configs.remove(topic);
    if (a != null) {
      for (int p : a.replicas().keySet()) {
        states.remove(new TopicPartition(topic, p));
      }
    }
  }

  List<TopicPartition> partitionsOf(String topic) {
    List<TopicPartition> out = new ArrayList<>();
    TopicAssignment a = topics.get(topic);
    if (a != null) {
      a.replicas().keySet().forEach(p -> out.add(new TopicPartition(topic, p)));
    }
    return out;
  }

  List<TopicPartition> allPartitions() {
    List<TopicPartition> out = new ArrayList<>();
    topics.keySet().forEach(t -> out.addAll(partitionsOf(t)));
    return out;
  }

  // ---------------------------------------------------------------- requests

  BrokerEndpoint endpoint(BrokerInfo b) {
    return BrokerEndpoint.newBuilder()
        .setId(b.id())
        .setHost(b.host())
        .setPort(b.port())
        .setRack(b.rack() == null ? "" : b.rack())
        .build();
  }

  PartitionState partitionState(TopicPartition tp) {
    LeaderAndIsr s = states.get(tp);
    List<Integer> replicas = replicas(tp);
    PartitionState.Builder b =
        PartitionState.newBuilder()
            .setTopic(tp.topic())
            .setPartition(tp.partition())
            .setLeader(s.leader())
            .setLeaderEpoch(s.leaderEpoch())
            .addAllIsr(s.isr())
            .setPartitionEpoch(s.partitionEpoch())
            .addAllReplicas(replicas);
    TopicAssignment assignment = topics.get(tp.topic());
    if (assignment != null) {
      b.addAllAddingReplicas(assignment.addingOf(tp.partition()))
          .addAllRemovingReplicas(assignment.removingOf(tp.partition()));
    }
    for (int r : replicas) {
      if (!liveBrokers.containsKey(r)) {
        b.addOfflineReplicas(r);
      }
    }
    return b.build();
  }

  /** LeaderAndIsr for {@code target} covering those of {@code partitions} it is a replica of. */
  LeaderAndIsrRequest leaderAndIsr(BrokerInfo target, Collection<TopicPartition> partitions) {
    return new RequestBatch().leaderAndIsr(target, partitions);
  }

  /** Partitions {@code brokerId} is a replica of. */
  List<TopicPartition> replicaPartitions(int brokerId) {
    List<TopicPartition> out = new ArrayList<>();
    for (TopicPartition tp : allPartitions()) {
      if (replicas(tp).contains(brokerId)) {
        out.add(tp);
      }
    }
    return out;
  }

  /** Every broker id -> the partitions it is a replica of, in one pass over the partitions. */
  Map<Integer, List<TopicPartition>> replicaPartitionsByBroker() {
    Map<Integer, List<TopicPartition>> out = new HashMap<>();
    topics.forEach(
        (t, a) ->
            a.replicas()
                .forEach(
                    (p, replicas) -> {
                      TopicPartition tp = new TopicPartition(t, p);
                      for (int r : replicas) {
                        out.computeIfAbsent(r, id -> new ArrayList<>()).add(tp);
                      }
                    }));
    return out;
  }

  /** UpdateMetadata for {@code target}: full, or a delta of {@code topicsToSend} and deletions. */
  UpdateMetadataRequest updateMetadata(
      BrokerInfo target,
      boolean full,
      Collection<String> topicsToSend,
      Collection<String> deleted) {
    return new RequestBatch().updateMetadata(target, full, topicsToSend, deleted);
  }

  /**
   * The requests of one controller event to several brokers. Every partition's {@link
   * PartitionState} and every topic's {@link UpdateMetadataTopic} is built once and shared by the
   * requests to all brokers (protobuf messages are immutable), instead of once per broker and
   * request: on a takeover of N partitions with RF 3 that is N states instead of about 7N.
   *
   * <p>Valid only while the context does not change: make one per event, on the event thread.
   */
  final class RequestBatch {
    private final Map<TopicPartition, PartitionState> builtStates = new HashMap<>();
    private final Map<String, UpdateMetadataTopic> builtTopics = new HashMap<>();

    PartitionState partitionState(TopicPartition tp) {
      PartitionState ps = builtStates.get(tp);
      if (ps == null) {
        ps = ControllerContext.this.partitionState(tp);
        builtStates.put(tp, ps);
      }
      return ps;
    }

    /** LeaderAndIsr for {@code target} covering those of {@code partitions} it is a replica of. */
    LeaderAndIsrRequest leaderAndIsr(BrokerInfo target, Collection<TopicPartition> partitions) {
      Map<String, LeaderAndIsrTopic.Builder> byTopic = new TreeMap<>();
      Set<Integer> leaders = new TreeSet<>();
      for (TopicPartition tp : partitions) {
        if (!states.containsKey(tp) || !replicas(tp).contains(target.id())) {
          continue;
        }
        TopicAssignment a = topics.get(tp.topic());
        LeaderAndIsrTopic.Builder tb =
            byTopic.computeIfAbsent(
                tp.topic(),
                t ->
                    LeaderAndIsrTopic.newBuilder()
                        .setTopic(t)
                        .setTopicId(a.topicId().toString())
                        .putAllConfigs(configs.getOrDefault(t, Map.of())));
        PartitionState ps = partitionState(tp);
        tb.addPartitions(ps);
        if (ps.getLeader() >= 0) {
          leaders.add(ps.getLeader());
        }
      }
      LeaderAndIsrRequest.Builder b =
          LeaderAndIsrRequest.newBuilder()
              .setControllerId(controllerId)
              .setControllerEpoch(epoch)
              .setBrokerEpoch(target.epoch());
      byTopic.values().forEach(tb -> b.addTopics(tb));
      for (int l : leaders) {
        BrokerInfo lb = liveBrokers.get(l);
        if (lb != null) {
          b.addLiveLeaders(endpoint(lb));
        }
      }
      return b.build();
    }

    /**
     * UpdateMetadata for {@code target}: full, or a delta of {@code topicsToSend} and deletions.
     */
    UpdateMetadataRequest updateMetadata(
        BrokerInfo target,
        boolean full,
        Collection<String> topicsToSend,
        Collection<String> deleted) {
      UpdateMetadataRequest.Builder b =
          UpdateMetadataRequest.newBuilder()
              .setControllerId(controllerId)
              .setControllerEpoch(epoch)
              .setBrokerEpoch(target.epoch())
              .setClusterId(clusterId)
              .setFull(full);
      liveBrokers.values().forEach(lb -> b.addLiveBrokers(endpoint(lb)));
      Collection<String> names = full ? topics.keySet() : new TreeSet<>(topicsToSend);
      for (String t : names) {
        UpdateMetadataTopic tm = metadataTopic(t);
        if (tm != null) {
          b.addTopics(tm);
        }
      }
      if (!full) {
        b.addAllDeletedTopics(deleted);
      }
      return b.build();
    }

    private UpdateMetadataTopic metadataTopic(String t) {
      UpdateMetadataTopic built = builtTopics.get(t);
      if (built != null) {
        return built;
      }
      TopicAssignment a = topics.get(t);
      if (a == null) {
        return null;
      }
      UpdateMetadataTopic.Builder tb =
          UpdateMetadataTopic.newBuilder()
              .setTopic(t)
              .setTopicId(a.topicId().toString())
              .putAllConfigs(configs.getOrDefault(t, Map.of()))
              .setIsInternal(Topic.isInternal(t));
      for (int p : a.replicas().keySet()) {
        TopicPartition tp = new TopicPartition(t, p);
        if (states.containsKey(tp)) {
          tb.addPartitions(partitionState(tp));
        }
      }
      built = tb.build();
      builtTopics.put(t, built);
      return built;
    }
  }
}
