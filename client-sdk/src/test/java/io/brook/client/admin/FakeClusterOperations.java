package io.brook.client.admin;

import io.brook.common.TopicPartition;
import io.brook.protocol.v1.*;
import io.brook.protocol.v1.ConfigEntry;
import io.brook.protocol.v1.DescribeConfigsResult;
import io.brook.protocol.v1.ElectionType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The controller side of {@link FakeGroupBroker} for the operations calls: live brokers with racks,
 * replica assignments and leaders, reassignments in progress, dynamic configs; following the
 * controller's contract (contracts6.md) closely enough for the admin client and the tools: a plan
 * is refused as a whole before anything changes; elections answer NONE / ELECTION_NOT_NEEDED /
 * PREFERRED_LEADER_NOT_AVAILABLE; unknown config keys and non-numeric values are refused with a
 * message naming the key. A move stays in progress until {@link #completeReassignments}. Methods
 * are synchronized: thread-safe.
 */
public final class FakeClusterOperations {
  /** Live brokers: id -> rack ("" for none). */
  public final Map<Integer, String> brokers = new ConcurrentHashMap<>(Map.of(1, ""));

  /** Per topic, the replicas of each partition (preferred first). */
  public final Map<String, List<List<Integer>>> replicas = new ConcurrentHashMap<>();

  public final Map<TopicPartition, Integer> leaders = new ConcurrentHashMap<>();

  /** Partition -> target replicas of the reassignment in progress. */
  public final Map<TopicPartition, List<Integer>> moving = new ConcurrentHashMap<>();

  /** Partition -> its replicas when its move started. */
  private final Map<TopicPartition, List<Integer>> original = new ConcurrentHashMap<>();

  /** Dynamic configs per resource ("topic:t", "broker:1", "broker:" for the default). */
  public final Map<String, Map<String, String>> configs = new ConcurrentHashMap<>();

  /** The next this many answers are NOT_CONTROLLER (the controller is moving). */
  public final AtomicInteger notControllerAnswers = new AtomicInteger();

  static final Set<String> TOPIC_KEYS =
      Set.of(
          "retention.ms",
          "retention.bytes",
          "segment.bytes",
          "cleanup.policy",
          "min.insync.replicas",
          "max.message.bytes",
          "leader.replication.throttled.replicas",
          "follower.replication.throttled.replicas");
  static final Set<String> BROKER_KEYS =
      Set.of(
          "leader.replication.throttled.rate",
          "follower.replication.throttled.rate",
          "log.retention.ms",
          "log.cleanup.policy",
          "min.insync.replicas");
  static final Set<String> LIST_KEYS =
      Set.of(
          "cleanup.policy",
          "log.cleanup.policy",
          "leader.replication.throttled.replicas",
          "follower.replication.throttled.replicas");

  /** A topic with these replicas per partition; the first replica leads. */
  public synchronized void topic(String name, List<List<Integer>> assignment) {
    replicas.put(name, new ArrayList<>(assignment.stream().map(List::copyOf).toList()));
    for (int p = 0; p < assignment.size(); p++) {
      leaders.put(new TopicPartition(name, p), assignment.get(p).get(0));
    }
  }

  public synchronized List<Integer> replicasOf(TopicPartition tp) {
    return replicas.get(tp.topic()).get(tp.partition());
  }

  /** Every move in progress finishes: the partition keeps its target replicas only. */
  public synchronized void completeReassignments() {
    moving.forEach((tp, target) -> replicas.get(tp.topic()).set(tp.partition(), target));
    moving.clear();
    original.clear();
  }

  public Map<String, String> config(ConfigResource.Type type, String name) {
    return configs.getOrDefault(key(type, name), Map.of());
  }

  private static String key(ConfigResource.Type type, String name) {
    return (type == ConfigResource.Type.TOPIC ? "topic:" : "broker:") + name;
  }

  private boolean notController() {
    return notControllerAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  private String live() {
    return new TreeMap<>(brokers)
        .keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  // ------------------------------------------------------------------ reassignments

  synchronized AlterPartitionReassignmentsResponse alterPartitionReassignments(
      AlterPartitionReassignmentsRequest req) {
    if (notController()) {
      return AlterPartitionReassignmentsResponse.newBuilder()
          .setError(ErrorCode.NOT_CONTROLLER)
          .build();
    }
    Map<TopicPartition, ReassignablePartitionResult.Builder> results = new LinkedHashMap<>();
    Map<TopicPartition, ReassignablePartition> valid = new LinkedHashMap<>();
    for (ReassignableTopic t : req.getTopicsList()) {
      for (ReassignablePartition p : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
        ReassignablePartitionResult.Builder r =
            ReassignablePartitionResult.newBuilder().setPartition(p.getPartition());
        String problem = null;
        ErrorCode code = ErrorCode.INVALID_REPLICA_ASSIGNMENT;
        List<List<Integer>> parts = replicas.get(tp.topic());
        if (parts == null || tp.partition() >= parts.size()) {
          code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          problem = "Partition " + tp + " does not exist";
        } else if (p.getCancel()) {
          if (!moving.containsKey(tp)) {
            code = ErrorCode.NO_REASSIGNMENT_IN_PROGRESS;
            problem = "No reassignment of partition " + tp + " is in progress";
          }
        } else if (p.getReplicasCount() == 0) {
          problem = "Empty replica list for partition " + tp;
        } else if (new LinkedHashSet<>(p.getReplicasList()).size() != p.getReplicasCount()) {
          problem = "Duplicate replica in " + p.getReplicasList() + " for partition " + tp;
        } else {
          for (int b : p.getReplicasList()) {
            if (!brokers.containsKey(b)) {
              problem = "Broker " + b + " is not live (live brokers: " + live() + ")";
              break;
            }
          }
        }
        if (problem != null) {
          r.setError(code).setErrorMessage(problem);
        } else {
          valid.put(tp, p);
        }
        results.put(tp, r);
      }
    }
    AlterPartitionReassignmentsResponse.Builder b =
        AlterPartitionReassignmentsResponse.newBuilder();
    boolean refused = valid.size() < results.size();
    if (refused) {
      ReassignablePartitionResult.Builder first =
          results.values().stream().filter(r -> r.getError() != ErrorCode.NONE).findFirst().get();
      b.setError(first.getError()).setErrorMessage(first.getErrorMessage());
      valid
          .keySet()
          .forEach(
              tp ->
                  results
                      .get(tp)
                      .setError(ErrorCode.INVALID_REQUEST)
                      .setErrorMessage("not applied: other partitions of the plan were refused"));
    } else if (!req.getValidateOnly()) {
      valid.forEach(this::apply);
    }
    Map<String, ReassignableTopicResult.Builder> topics = new TreeMap<>();
    results.forEach(
        (tp, r) ->
            topics
                .computeIfAbsent(tp.topic(), t -> ReassignableTopicResult.newBuilder().setName(t))
                .addPartitions(r));
    topics.values().forEach(b::addTopics);
    return b.build();
  }

  private void apply(TopicPartition tp, ReassignablePartition p) {
    if (p.getCancel()) {
      replicas.get(tp.topic()).set(tp.partition(), original.remove(tp));
      moving.remove(tp);
      return;
    }
    List<Integer> current = original.getOrDefault(tp, replicasOf(tp));
    List<Integer> target = List.copyOf(p.getReplicasList());
    if (target.equals(current)) {
      moving.remove(tp);
      original.remove(tp);
      replicas.get(tp.topic()).set(tp.partition(), target);
      return;
    }
    List<Integer> all = new ArrayList<>(target);
    current.stream().filter(r -> !target.contains(r)).forEach(all::add);
    original.put(tp, current);
    moving.put(tp, target);
    replicas.get(tp.topic()).set(tp.partition(), all);
  }

  synchronized ListPartitionReassignmentsResponse listPartitionReassignments(
      ListPartitionReassignmentsRequest req) {
    if (notController()) {
      return ListPartitionReassignmentsResponse.newBuilder()
          .setError(ErrorCode.NOT_CONTROLLER)
          .build();
    }
    Set<TopicPartition> wanted = new LinkedHashSet<>();
    req.getTopicsList()
        .forEach(
            t ->
                t.getPartitionsList()
                    .forEach(p -> wanted.add(new TopicPartition(t.getTopic(), p))));
    Map<String, OngoingTopicReassignment.Builder> topics = new TreeMap<>();
    new TreeMap<>(moving)
        .forEach(
            (tp, target) -> {
              if (!wanted.isEmpty() && !wanted.contains(tp)) {
                return;
              }
              List<Integer> before = original.get(tp);
              topics
                  .computeIfAbsent(
                      tp.topic(), t -> OngoingTopicReassignment.newBuilder().setName(t))
                  .addPartitions(
                      OngoingPartitionReassignment.newBuilder()
                          .setPartition(tp.partition())
                          .addAllReplicas(replicasOf(tp))
                          .addAllAddingReplicas(
                              target.stream().filter(r -> !before.contains(r)).toList())
                          .addAllRemovingReplicas(
                              before.stream().filter(r -> !target.contains(r)).toList()));
            });
    ListPartitionReassignmentsResponse.Builder b = ListPartitionReassignmentsResponse.newBuilder();
    topics.values().forEach(b::addTopics);
    return b.build();
  }

  // ------------------------------------------------------------------ elections

  synchronized ElectLeadersResponse electLeaders(ElectLeadersRequest req) {
    if (notController()) {
      return ElectLeadersResponse.newBuilder().setError(ErrorCode.NOT_CONTROLLER).build();
    }
    if (req.getAllPartitions() == (req.getTopicPartitionsCount() > 0)) {
      return ElectLeadersResponse.newBuilder()
          .setError(ErrorCode.INVALID_REQUEST)
          .setErrorMessage("Exactly one of topic_partitions and all_partitions must be set")
          .build();
    }
    List<TopicPartition> targets = new ArrayList<>();
    if (req.getAllPartitions()) {
      new TreeMap<>(replicas)
          .forEach(
              (t, ps) -> {
                for (int p = 0; p < ps.size(); p++) {
                  targets.add(new TopicPartition(t, p));
                }
              });
    } else {
      req.getTopicPartitionsList()
          .forEach(
              t ->
                  t.getPartitionsList()
                      .forEach(p -> targets.add(new TopicPartition(t.getTopic(), p))));
    }
    Map<String, ElectLeadersTopicResult.Builder> topics = new TreeMap<>();
    for (TopicPartition tp : targets) {
      ElectLeadersPartitionResult.Builder r =
          ElectLeadersPartitionResult.newBuilder().setPartition(tp.partition()).setLeader(-1);
      List<List<Integer>> parts = replicas.get(tp.topic());
      if (parts == null || tp.partition() >= parts.size()) {
        r.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
            .setErrorMessage("Partition " + tp + " does not exist");
      } else {
        elect(tp, req.getElectionType(), r);
      }
      topics
          .computeIfAbsent(tp.topic(), t -> ElectLeadersTopicResult.newBuilder().setTopic(t))
          .addPartitions(r);
    }
    ElectLeadersResponse.Builder b = ElectLeadersResponse.newBuilder();
    topics.values().forEach(b::addTopics);
    return b.build();
  }

  private void elect(TopicPartition tp, ElectionType type, ElectLeadersPartitionResult.Builder r) {
    List<Integer> rs = replicasOf(tp);
    int leader = leaders.getOrDefault(tp, -1);
    boolean leaderLive = leader >= 0 && brokers.containsKey(leader);
    if (type == ElectionType.PREFERRED) {
      int preferred = rs.get(0);
      if (leader == preferred) {
        r.setError(ErrorCode.ELECTION_NOT_NEEDED).setLeader(leader);
      } else if (!brokers.containsKey(preferred)) {
        r.setError(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
            .setErrorMessage("Preferred replica " + preferred + " of " + tp + " is not live")
            .setLeader(leader);
      } else {
        leaders.put(tp, preferred);
        r.setLeader(preferred);
      }
      return;
    }
    if (leaderLive) {
      r.setError(ErrorCode.ELECTION_NOT_NEEDED).setLeader(leader);
      return;
    }
    for (int b : rs) {
      if (brokers.containsKey(b)) {
        leaders.put(tp, b);
        r.setLeader(b);
        return;
      }
    }
    r.setError(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE)
        .setErrorMessage("No live replica of " + tp);
  }

  // ------------------------------------------------------------------ configs

  synchronized IncrementalAlterConfigsResponse incrementalAlterConfigs(
      IncrementalAlterConfigsRequest req) {
    IncrementalAlterConfigsResponse.Builder b = IncrementalAlterConfigsResponse.newBuilder();
    boolean notController = notController();
    for (AlterConfigsResource res : req.getResourcesList()) {
      AlterConfigsResourceResult.Builder r =
          AlterConfigsResourceResult.newBuilder().setResource(res.getResource());
      if (notController) {
        b.addResults(r.setError(ErrorCode.NOT_CONTROLLER));
        continue;
      }
      ConfigResource.Type type =
          res.getResource().getType() == ConfigResourceType.TOPIC
              ? ConfigResource.Type.TOPIC
              : ConfigResource.Type.BROKER;
      String name = res.getResource().getName();
      String problem = null;
      ErrorCode code = ErrorCode.INVALID_CONFIG;
      if (type == ConfigResource.Type.TOPIC && !replicas.containsKey(name)) {
        code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        problem = "Topic " + name + " does not exist";
      } else if (type == ConfigResource.Type.BROKER && !name.isEmpty() && !name.matches("\\d+")) {
        code = ErrorCode.INVALID_REQUEST;
        problem = "Broker id " + name + " is not a number";
      }
      Map<String, String> next = new TreeMap<>(configs.getOrDefault(key(type, name), Map.of()));
      for (AlterableConfig c : res.getConfigsList()) {
        if (problem != null) {
          break;
        }
        Set<String> known = type == ConfigResource.Type.TOPIC ? TOPIC_KEYS : BROKER_KEYS;
        if (!known.contains(c.getName())) {
          problem =
              "Unknown "
                  + (type == ConfigResource.Type.TOPIC ? "topic" : "broker")
                  + " config '"
                  + c.getName()
                  + "'";
        } else if ((c.getOp() == AlterConfigOpType.SET)
            && (c.getName().endsWith(".ms")
                || c.getName().endsWith(".bytes")
                || c.getName().endsWith(".rate"))
            && !c.getValue().matches("-?\\d+")) {
          problem =
              "Invalid value "
                  + c.getValue()
                  + " for configuration "
                  + c.getName()
                  + ": Not a number of type LONG";
        } else {
          switch (c.getOp()) {
            case SET -> next.put(c.getName(), c.getValue());
            case DELETE -> next.remove(c.getName());
            case APPEND -> {
              Set<String> items = items(next.get(c.getName()));
              items.addAll(items(c.getValue()));
              next.put(c.getName(), String.join(",", items));
            }
            case SUBTRACT -> {
              Set<String> items = items(next.get(c.getName()));
              items.removeAll(items(c.getValue()));
              next.put(c.getName(), String.join(",", items));
            }
            default -> problem = "Unknown op " + c.getOp();
          }
        }
      }
      if (problem != null) {
        r.setError(code).setErrorMessage(problem);
      } else if (!req.getValidateOnly()) {
        configs.put(key(type, name), next);
      }
      b.addResults(r);
    }
    return b.build();
  }

  private static Set<String> items(String list) {
    Set<String> out = new LinkedHashSet<>();
    if (list != null) {
      for (String s : list.split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  synchronized DescribeConfigsResponse describeConfigs(DescribeConfigsRequest req) {
    DescribeConfigsResponse.Builder b = DescribeConfigsResponse.newBuilder();
    for (io.brook.protocol.v1.ConfigResource res : req.getResourcesList()) {
      boolean topic = res.getType() == ConfigResourceType.TOPIC;
      DescribeConfigsResult.Builder r = DescribeConfigsResult.newBuilder().setResource(res);
      if (topic && !replicas.containsKey(res.getName())) {
        b.addResults(
            r.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                .setErrorMessage("Topic " + res.getName() + " does not exist"));
        continue;
      }
      ConfigResource.Type type = topic ? ConfigResource.Type.TOPIC : ConfigResource.Type.BROKER;
      Map<String, String> dynamic = configs.getOrDefault(key(type, res.getName()), Map.of());
      ConfigSource source =
          topic
              ? ConfigSource.DYNAMIC_TOPIC_CONFIG
              : res.getName().isEmpty()
                  ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
                  : ConfigSource.DYNAMIC_BROKER_CONFIG;
      dynamic.forEach(
          (k, v) ->
              r.addEntries(ConfigEntry.newBuilder().setName(k).setValue(v).setSource(source)));
      String defaultKey = topic ? "cleanup.policy" : "log.cleanup.policy";
      if (!dynamic.containsKey(defaultKey)) {
        r.addEntries(
            ConfigEntry.newBuilder()
                .setName(defaultKey)
                .setValue("delete")
                .setSource(ConfigSource.DEFAULT_CONFIG));
      }
      b.addResults(r);
    }
    return b.build();
  }

  synchronized DescribeClusterResponse describeCluster() {
    DescribeClusterResponse.Builder b =
        DescribeClusterResponse.newBuilder().setClusterId("fake-cluster").setControllerId(1);
    new TreeMap<>(brokers)
        .forEach(
            (id, rack) ->
                b.addBrokers(
                    BrokerEndpoint.newBuilder()
                        .setId(id)
                        .setHost(id == 1 ? "fakehost" : "broker" + id)
                        .setPort(9092)
                        .setRack(rack)));
    return b.build();
  }
}
