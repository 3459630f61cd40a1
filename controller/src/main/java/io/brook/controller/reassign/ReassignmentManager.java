package io.brook.controller.reassign;

import static io.brook.controller.zk.FencedZkWriter.op;

import io.brook.common.TopicPartition;
import io.brook.controller.zk.FencedZkWriter;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.TopicAssignment;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.MetadataStoreException;
import io.brook.metadata.zk.Versioned;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.OngoingPartitionReassignment;
import io.brook.protocol.v1.OngoingTopicReassignment;
import io.brook.protocol.v1.ReassignablePartition;
import io.brook.protocol.v1.ReassignablePartitionResult;
import io.brook.protocol.v1.ReassignableTopic;
import io.brook.protocol.v1.ReassignableTopicResult;
import io.brook.protocol.v1.TopicPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * The controller's partition reassignments (Kafka's KIP-455 state machine over the ZooKeeper
 * layout): starts, redirects and cancels them, finishes each once its target replicas are all in
 * the ISR, resumes them after a failover (the state is the topic znodes' {@code adding_replicas} /
 * {@code removing_replicas}), picks up {@value ZkPaths#REASSIGN_PARTITIONS}, and removes
 * replication throttles when a move completes or is cancelled. Decisions are {@link
 * ReassignmentPlanner}'s; every write is one fenced transaction per topic (topic znode conditional
 * on its version, partition states conditional on their partition epochs).
 *
 * <p>Thread rules: one instance per controller epoch, used only from the controller's event thread
 * (ZooKeeper watches and broker responses come back through {@link Host#enqueue}).
 */
public final class ReassignmentManager {
  private static final Logger log = LogManager.getLogger(ReassignmentManager.class);

  static final String LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
  static final String FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";
  static final String LEADER_THROTTLED_RATE = "leader.replication.throttled.rate";
  static final String FOLLOWER_THROTTLED_RATE = "follower.replication.throttled.rate";

  /** What the manager needs from the active controller. Every call is on the event thread. */
  public interface Host {
    /** Every topic, as last written. */
    Map<String, TopicAssignment> topics();

    LeaderAndIsr state(TopicPartition tp);

    Set<Integer> liveIds();

    /** Live brokers that may lead (not shutting down). */
    Set<Integer> eligibleIds();

    /** Topics queued for deletion. */
    Set<String> deleting();

    int controllerEpoch();

    /**
     * Records a written topic assignment and the partition states written with it (their partition
     * epochs already advanced) in the controller's view.
     */
    void recordWritten(TopicAssignment assignment, Map<TopicPartition, LeaderAndIsr> states);

    void recordTopicConfig(String topic, Map<String, String> config);

    /**
     * LeaderAndIsr for {@code parts} to their replicas, UpdateMetadata of {@code topics} to all.
     */
    void announce(Collection<String> topics, Collection<TopicPartition> parts);

    /**
     * Sends StopReplica(delete) for {@code parts} to {@code brokerId}; the future says whether the
     * broker applied it (false when it is not live or failed).
     */
    CompletableFuture<Boolean> stopAndDelete(int brokerId, Collection<TopicPartition> parts);

    /** Runs {@code r} later on the event thread while this controller epoch is active. */
    void enqueue(String name, Runnable r);
  }

  private final Host host;
  private final MetadataStore store;
  private final FencedZkWriter writer;

  /** Removed replicas whose StopReplica(delete) was not acknowledged yet: broker -> partitions. */
  private final Map<Integer, Set<TopicPartition>> pendingDeletes = new TreeMap<>();

  public ReassignmentManager(Host host, MetadataStore store, FencedZkWriter writer) {
    this.host = host;
    this.store = store;
    this.writer = writer;
  }

  // ================================================================ entry points

  /**
   * After a failover: resumes the reassignments recorded in the topic znodes, watches the admin
   * znode.
   */
  public void activate() {
    List<TopicPartition> moving = ongoing();
    for (TopicPartition tp : moving) {
      TopicAssignment a = host.topics().get(tp.topic());
      log.info(
          "Resuming reassignment of {}: {} -> {} (replicas {}, adding {}, removing {})",
          tp,
          a.originalReplicasOf(tp.partition()),
          a.targetReplicasOf(tp.partition()),
          a.replicasOf(tp.partition()),
          a.addingOf(tp.partition()),
          a.removingOf(tp.partition()));
    }
    checkProgress(moving);
    watchAdminZnode();
  }

  /** Whether any partition of {@code topic} is being reassigned. */
  public boolean isReassigning(String topic) {
    TopicAssignment a = host.topics().get(topic);
    return a != null && a.isReassigning();
  }

  /** Partition states changed (ISR changes, elections): some reassignments may be done. */
  public void onPartitionsChanged(Collection<TopicPartition> changed) {
    List<TopicPartition> moving = new ArrayList<>();
    for (TopicPartition tp : changed) {
      TopicAssignment a = host.topics().get(tp.topic());
      if (a != null && a.isReassigning(tp.partition())) {
        moving.add(tp);
      }
    }
    checkProgress(moving);
  }

  /** Brokers joined or left: retries pending deletions, checks every reassignment. */
  public void onBrokersChanged(Set<Integer> joined) {
    for (int b : joined) {
      Set<TopicPartition> parts = pendingDeletes.get(b);
      if (parts != null && !parts.isEmpty()) {
        parts.removeIf(
            tp ->
                host.topics().get(tp.topic()) == null
                    || host.topics().get(tp.topic()).replicasOf(tp.partition()).contains(b));
        sendDeletes(b, new ArrayList<>(parts));
      }
    }
    checkProgress(ongoing());
  }

  /** AlterPartitionReassignments: validates the whole plan, then starts / redirects / cancels. */
  public AlterPartitionReassignmentsResponse alter(AlterPartitionReassignmentsRequest request) {
    List<ReassignmentPlanner.PartitionRequest> plan = new ArrayList<>();
    for (ReassignableTopic t : request.getTopicsList()) {
      for (ReassignablePartition p : t.getPartitionsList()) {
        plan.add(
            new ReassignmentPlanner.PartitionRequest(
                new TopicPartition(t.getName(), p.getPartition()),
                p.getReplicasList(),
                p.getCancel()));
      }
    }
    Map<TopicPartition, ReassignmentPlanner.Refusal> refused =
        ReassignmentPlanner.validate(plan, host.topics(), host.deleting(), host.liveIds());
    if (refused.isEmpty()) {
      refused = unsafeSteps(plan);
    }
    Map<TopicPartition, ReassignmentPlanner.Refusal> results = new LinkedHashMap<>();
    AlterPartitionReassignmentsResponse.Builder out =
        AlterPartitionReassignmentsResponse.newBuilder();
    if (!refused.isEmpty()) {
      ReassignmentPlanner.Refusal first = refused.values().iterator().next();
      String message =
          refused.entrySet().stream()
              .map(e -> e.getKey() + ": " + e.getValue().message())
              .collect(Collectors.joining("; "));
      log.info("Reassignment plan refused, nothing changed: {}", message);
      for (ReassignmentPlanner.PartitionRequest r : plan) {
        results.putIfAbsent(
            r.tp(),
            refused.getOrDefault(
                r.tp(),
                new ReassignmentPlanner.Refusal(
                    ErrorCode.INVALID_REQUEST,
                    "not applied: other partitions of the plan were refused")));
      }
      return response(out.setError(first.error()).setErrorMessage(message), results);
    }
    if (!request.getValidateOnly()) {
      results.putAll(apply(plan));
    }
    for (ReassignmentPlanner.PartitionRequest r : plan) {
      results.putIfAbsent(r.tp(), new ReassignmentPlanner.Refusal(ErrorCode.NONE, ""));
    }
    ReassignmentPlanner.Refusal failure =
        results.values().stream().filter(f -> f.error() != ErrorCode.NONE).findFirst().orElse(null);
    if (failure != null) {
      out.setError(failure.error()).setErrorMessage(failure.message());
    } else {
      out.setError(ErrorCode.NONE);
    }
    return response(out, results);
  }

  /** The steps of a valid plan that would leave a partition leaderless or delete its ISR. */
  private Map<TopicPartition, ReassignmentPlanner.Refusal> unsafeSteps(
      List<ReassignmentPlanner.PartitionRequest> plan) {
    Map<TopicPartition, ReassignmentPlanner.Refusal> out = new LinkedHashMap<>();
    for (ReassignmentPlanner.PartitionRequest r : plan) {
      TopicAssignment a = host.topics().get(r.tp().topic());
      int p = r.tp().partition();
      Optional<ReassignmentPlanner.Move> m =
          r.cancel()
              ? Optional.of(ReassignmentPlanner.cancel(a, p))
              : ReassignmentPlanner.start(a, p, r.replicas());
      m.flatMap(
              move ->
                  ReassignmentPlanner.unsafe(r.tp(), move, host.state(r.tp()), host.eligibleIds()))
          .ifPresent(f -> out.put(r.tp(), f));
    }
    return out;
  }

  /** ListPartitionReassignments: the partitions being moved (all, or among the requested). */
  public ListPartitionReassignmentsResponse list(ListPartitionReassignmentsRequest request) {
    Set<TopicPartition> wanted = null;
    if (request.getTopicsCount() > 0) {
      wanted = new HashSet<>();
      for (TopicPartitions t : request.getTopicsList()) {
        for (int p : t.getPartitionsList()) {
          wanted.add(new TopicPartition(t.getTopic(), p));
        }
      }
    }
    Map<String, OngoingTopicReassignment.Builder> byTopic = new TreeMap<>();
    for (TopicPartition tp : ongoing()) {
      if (wanted != null && !wanted.contains(tp)) {
        continue;
      }
      TopicAssignment a = host.topics().get(tp.topic());
      byTopic
          .computeIfAbsent(tp.topic(), n -> OngoingTopicReassignment.newBuilder().setName(n))
          .addPartitions(
              OngoingPartitionReassignment.newBuilder()
                  .setPartition(tp.partition())
                  .addAllReplicas(a.replicasOf(tp.partition()))
                  .addAllAddingReplicas(a.addingOf(tp.partition()))
                  .addAllRemovingReplicas(a.removingOf(tp.partition())));
    }
    ListPartitionReassignmentsResponse.Builder out =
        ListPartitionReassignmentsResponse.newBuilder().setError(ErrorCode.NONE);
    byTopic.values().forEach(out::addTopics);
    return out.build();
  }

  // ================================================================ steps

  /** Partitions being moved, in topic and partition order. */
  private List<TopicPartition> ongoing() {
    List<TopicPartition> out = new ArrayList<>();
    for (TopicAssignment a : host.topics().values()) {
      if (!a.isReassigning()) {
        continue;
      }
      for (int p : a.replicas().keySet()) {
        if (a.isReassigning(p)) {
          out.add(new TopicPartition(a.name(), p));
        }
      }
    }
    return out;
  }

  /** Applies a validated plan: one fenced write per topic. Returns failures only. */
  private Map<TopicPartition, ReassignmentPlanner.Refusal> apply(
      List<ReassignmentPlanner.PartitionRequest> plan) {
    Map<String, List<ReassignmentPlanner.PartitionRequest>> byTopic = new TreeMap<>();
    plan.forEach(r -> byTopic.computeIfAbsent(r.tp().topic(), t -> new ArrayList<>()).add(r));
    Map<TopicPartition, ReassignmentPlanner.Refusal> failures = new HashMap<>();
    List<TopicPartition> started = new ArrayList<>();
    Set<TopicPartition> cancelled = new TreeSet<>();
    for (var e : byTopic.entrySet()) {
      String topic = e.getKey();
      TopicAssignment before = host.topics().get(topic);
      TopicAssignment next = before;
      Map<TopicPartition, ReassignmentPlanner.Move> moves = new TreeMap<>();
      for (ReassignmentPlanner.PartitionRequest r : e.getValue()) {
        int p = r.tp().partition();
        Optional<ReassignmentPlanner.Move> m =
            r.cancel()
                ? Optional.of(ReassignmentPlanner.cancel(next, p))
                : ReassignmentPlanner.start(next, p, r.replicas());
        if (m.isEmpty()) {
          log.info(
              "Reassignment of {}: already assigned to {}, nothing to do", r.tp(), r.replicas());
          continue;
        }
        moves.put(r.tp(), m.get());
        next = next.withPartition(p, m.get().replicas(), m.get().adding(), m.get().removing());
      }
      if (moves.isEmpty()) {
        continue;
      }
      try {
        write(before, next, moves);
      } catch (MetadataStoreException ex) {
        log.warn("Could not record the reassignment of topic {}: {}", topic, ex.getMessage());
        for (TopicPartition tp : moves.keySet()) {
          failures.put(
              tp,
              new ReassignmentPlanner.Refusal(
                  ErrorCode.UNKNOWN_SERVER_ERROR,
                  "Could not record the reassignment: " + ex.getMessage()));
        }
        continue;
      }
      for (var m : moves.entrySet()) {
        TopicPartition tp = m.getKey();
        int p = tp.partition();
        if (before.isReassigning(p) && !m.getValue().isReassigning()) {
          log.info(
              "Reassignment of {} cancelled: back to {} (dropped {})",
              tp,
              m.getValue().replicas(),
              m.getValue().dropped());
          cancelled.add(tp);
        } else if (m.getValue().isReassigning()) {
          log.info(
              "Reassignment of {} started: {} -> {} (adding {}, removing {})",
              tp,
              before.isReassigning(p) ? before.originalReplicasOf(p) : before.replicasOf(p),
              next.targetReplicasOf(p),
              m.getValue().adding(),
              m.getValue().removing());
          started.add(tp);
        } else {
          log.info(
              "Reassignment of {} completed: replicas reordered to {}",
              tp,
              m.getValue().replicas());
        }
      }
      List<TopicPartition> ended = new ArrayList<>(cancelled);
      ended.removeIf(tp -> !tp.topic().equals(topic));
      cleanTopicThrottles(topic, ended);
      host.announce(List.of(topic), moves.keySet());
      stopDropped(moves);
    }
    if (!cancelled.isEmpty()) {
      cleanBrokerThrottlesIfIdle();
    }
    checkProgress(started);
    return failures;
  }

  /** Finishes every partition of {@code candidates} whose target replicas are all in the ISR. */
  private void checkProgress(Collection<TopicPartition> candidates) {
    Map<String, List<TopicPartition>> byTopic = new TreeMap<>();
    candidates.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp));
    boolean finished = false;
    for (var e : byTopic.entrySet()) {
      String topic = e.getKey();
      TopicAssignment before = host.topics().get(topic);
      if (before == null || host.deleting().contains(topic)) {
        continue;
      }
      TopicAssignment next = before;
      Map<TopicPartition, ReassignmentPlanner.Move> moves = new TreeMap<>();
      Map<TopicPartition, LeaderAndIsr> states = new TreeMap<>();
      for (TopicPartition tp : e.getValue()) {
        LeaderAndIsr s = host.state(tp);
        if (s == null) {
          continue;
        }
        Optional<LeaderAndIsr> done =
            ReassignmentPlanner.complete(
                next, tp.partition(), s, host.eligibleIds(), host.controllerEpoch());
        if (done.isEmpty()) {
          continue;
        }
        ReassignmentPlanner.Move m = ReassignmentPlanner.finish(next, tp.partition());
        moves.put(tp, m);
        states.put(tp, done.get());
        next = next.withPartition(tp.partition(), m.replicas(), m.adding(), m.removing());
      }
      if (moves.isEmpty()) {
        continue;
      }
      try {
        writeStates(before, next, states);
      } catch (MetadataStoreException ex) {
        log.warn(
            "Could not complete the reassignment of {}: {}; retried at the next change",
            moves.keySet(),
            ex.getMessage());
        continue;
      }
      for (TopicPartition tp : moves.keySet()) {
        LeaderAndIsr s = host.state(tp);
        log.info(
            "Reassignment of {} completed: replicas {} (leader {}, ISR {}, removed {})",
            tp,
            moves.get(tp).replicas(),
            s.leader(),
            s.isr(),
            moves.get(tp).dropped());
      }
      cleanTopicThrottles(topic, moves.keySet());
      host.announce(List.of(topic), moves.keySet());
      stopDropped(moves);
      finished = true;
    }
    if (finished) {
      cleanBrokerThrottlesIfIdle();
    }
  }

  /** Writes a start / cancel: the topic znode and each moved partition's state. */
  private void write(
      TopicAssignment before,
      TopicAssignment next,
      Map<TopicPartition, ReassignmentPlanner.Move> moves) {
    Map<TopicPartition, LeaderAndIsr> states = new TreeMap<>();
    for (var m : moves.entrySet()) {
      states.put(
          m.getKey(),
          ReassignmentPlanner.stateAfter(
              host.state(m.getKey()),
              m.getValue().replicas(),
              host.eligibleIds(),
              host.controllerEpoch()));
    }
    writeStates(before, next, states);
  }

  /**
   * One fenced transaction: the topic znode (conditional on its version) and the states
   * (conditional on their partition epochs); then the controller's view.
   */
  private void writeStates(
      TopicAssignment before, TopicAssignment next, Map<TopicPartition, LeaderAndIsr> states) {
    String topic = next.name();
    Versioned<byte[]> raw =
        store
            .read(ZkPaths.topicPath(topic))
            .orElseThrow(
                () ->
                    new MetadataStoreException(
                        "ZooKeeper: " + ZkPaths.topicPath(topic) + " is gone", null));
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(
        op(
            () ->
                writer
                    .ops()
                    .setData()
                    .withVersion(raw.version())
                    .forPath(ZkPaths.topicPath(topic), ZkPaths.encodeTopic(next))));
    for (var s : states.entrySet()) {
      ops.add(op(() -> writer.updatePartitionState(topic, s.getKey().partition(), s.getValue())));
    }
    writer.write(ops);
    Map<TopicPartition, LeaderAndIsr> written = new TreeMap<>();
    states.forEach((tp, s) -> written.put(tp, s.withPartitionEpoch(s.partitionEpoch() + 1)));
    host.recordWritten(next, written);
  }

  private void stopDropped(Map<TopicPartition, ReassignmentPlanner.Move> moves) {
    Map<Integer, List<TopicPartition>> byBroker = new TreeMap<>();
    moves.forEach(
        (tp, m) ->
            m.dropped().forEach(b -> byBroker.computeIfAbsent(b, x -> new ArrayList<>()).add(tp)));
    byBroker.forEach(
        (b, parts) -> {
          pendingDeletes.computeIfAbsent(b, x -> new TreeSet<>()).addAll(parts);
          sendDeletes(b, parts);
        });
  }

  private void sendDeletes(int broker, List<TopicPartition> parts) {
    if (parts.isEmpty()) {
      return;
    }
    if (!host.liveIds().contains(broker)) {
      log.info("Broker {} is not live; its replicas {} are deleted when it returns", broker, parts);
      return;
    }
    host.stopAndDelete(broker, parts)
        .whenComplete(
            (ok, err) ->
                host.enqueue(
                    "StopReplica response for reassignment",
                    () -> {
                      if (err == null && Boolean.TRUE.equals(ok)) {
                        Set<TopicPartition> pending = pendingDeletes.get(broker);
                        if (pending != null) {
                          parts.forEach(pending::remove);
                          if (pending.isEmpty()) {
                            pendingDeletes.remove(broker);
                          }
                        }
                      } else {
                        log.info(
                            "Broker {} did not delete its removed replicas {} ({}); retried when it"
                                + " re-registers",
                            broker,
                            parts,
                            err == null ? "refused" : err.toString());
                      }
                    }));
  }

  // ================================================================ throttles

  /**
   * Removes the entries of {@code ended} partitions from the topic's throttled-replica lists
   * (deleting a key that becomes empty). A {@code *} list is the operator's own standing throttle
   * (the tool writes {@code p:b} entries only) and is left alone.
   */
  private void cleanTopicThrottles(String topic, Collection<TopicPartition> ended) {
    if (ended.isEmpty()) {
      return;
    }
    try {
      // ZooKeeper is the source of truth: an operator's tool may have set the throttle directly.
      Optional<Versioned<byte[]>> raw = store.read(ZkPaths.topicConfigPath(topic));
      if (raw.isEmpty() || raw.get().value() == null || raw.get().value().length == 0) {
        return;
      }
      Map<String, String> config = new TreeMap<>(ZkPaths.decodeConfig(raw.get().value()));
      boolean changed = false;
      for (String key : List.of(LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)) {
        String v = config.get(key);
        if (v == null) {
          continue;
        }
        String nv = v;
        for (TopicPartition tp : ended) {
          nv = ReassignmentPlanner.withoutPartition(nv, tp.partition());
        }
        if (nv.isEmpty()) {
          config.remove(key);
          changed = true;
        } else if (!nv.equals(v)) {
          config.put(key, nv);
          changed = true;
        }
      }
      if (!changed) {
        return;
      }
      writer.write(
          List.of(
              op(
                  () ->
                      writer
                          .ops()
                          .setData()
                          .withVersion(raw.get().version())
                          .forPath(ZkPaths.topicConfigPath(topic), ZkPaths.encodeConfig(config)))));
      host.recordTopicConfig(topic, config);
      log.info(
          "Removed the replication throttle of {} from topic {} (leader: {}, follower: {})",
          ended,
          topic,
          config.getOrDefault(LEADER_THROTTLED_REPLICAS, "none"),
          config.getOrDefault(FOLLOWER_THROTTLED_REPLICAS, "none"));
    } catch (MetadataStoreException | IllegalArgumentException e) {
      log.warn("Could not remove the replication throttle of topic {}: {}", topic, e.getMessage());
    }
  }

  /** With no reassignment left, deletes the throttle rates from every broker's config znode. */
  private void cleanBrokerThrottlesIfIdle() {
    if (!ongoing().isEmpty()) {
      return;
    }
    List<String> cleared = new ArrayList<>();
    for (String entity : store.children(ZkPaths.CONFIG_BROKERS)) {
      if (!entity.chars().allMatch(Character::isDigit)) {
        continue;
      }
      String path = ZkPaths.brokerConfigPath(entity);
      try {
        Optional<Versioned<byte[]>> raw = store.read(path);
        if (raw.isEmpty() || raw.get().value() == null || raw.get().value().length == 0) {
          continue;
        }
        Map<String, String> config = new TreeMap<>(ZkPaths.decodeConfig(raw.get().value()));
        boolean had = config.remove(LEADER_THROTTLED_RATE) != null;
        had |= config.remove(FOLLOWER_THROTTLED_RATE) != null;
        if (!had) {
          continue;
        }
        writer.write(
            List.of(
                op(
                    () ->
                        writer
                            .ops()
                            .setData()
                            .withVersion(raw.get().version())
                            .forPath(path, ZkPaths.encodeConfig(config)))));
        cleared.add(entity);
      } catch (MetadataStoreException | IllegalArgumentException e) {
        log.warn("Could not remove the throttle rates of broker {}: {}", entity, e.getMessage());
      }
    }
    if (!cleared.isEmpty()) {
      log.info(
          "No reassignment in progress: removed the replication throttle rates of brokers {}",
          cleared);
    }
  }

  // ================================================================ /admin/reassign_partitions

  private void watchAdminZnode() {
    Watcher watcher =
        event -> {
          if (event.getType() != Watcher.Event.EventType.None) {
            host.enqueue("change of " + ZkPaths.REASSIGN_PARTITIONS, this::watchAdminZnode);
          }
        };
    Stat stat;
    try {
      stat =
          store.client().checkExists().usingWatcher(watcher).forPath(ZkPaths.REASSIGN_PARTITIONS);
    } catch (Exception e) {
      throw new MetadataStoreException(
          "ZooKeeper: could not watch " + ZkPaths.REASSIGN_PARTITIONS, e);
    }
    if (stat != null) {
      pickUpAdminZnode();
    }
  }

  private void pickUpAdminZnode() {
    Optional<Versioned<byte[]>> raw = store.read(ZkPaths.REASSIGN_PARTITIONS);
    if (raw.isEmpty()) {
      return;
    }
    try {
      List<ZkPaths.ReassignmentRequest> requests =
          ZkPaths.decodeReassignPartitions(raw.get().value());
      AlterPartitionReassignmentsRequest.Builder b =
          AlterPartitionReassignmentsRequest.newBuilder();
      Map<String, ReassignableTopic.Builder> byTopic = new LinkedHashMap<>();
      for (ZkPaths.ReassignmentRequest r : requests) {
        byTopic
            .computeIfAbsent(r.topic(), t -> ReassignableTopic.newBuilder().setName(t))
            .addPartitions(
                ReassignablePartition.newBuilder()
                    .setPartition(r.partition())
                    .addAllReplicas(r.replicas()));
      }
      byTopic.values().forEach(b::addTopics);
      log.info("Picked up {} with {} partitions", ZkPaths.REASSIGN_PARTITIONS, requests.size());
      AlterPartitionReassignmentsResponse resp = alter(b.build());
      if (resp.getError() != ErrorCode.NONE) {
        log.error(
            "Reassignment request in {} refused: {} {}",
            ZkPaths.REASSIGN_PARTITIONS,
            resp.getError(),
            resp.getErrorMessage());
      }
    } catch (IllegalArgumentException e) {
      log.error("Ignoring unreadable {}: {}", ZkPaths.REASSIGN_PARTITIONS, e.getMessage());
    }
    try {
      writer.write(
          List.of(
              op(
                  () ->
                      writer
                          .ops()
                          .delete()
                          .withVersion(raw.get().version())
                          .forPath(ZkPaths.REASSIGN_PARTITIONS))));
    } catch (MetadataStoreException e) {
      log.warn("Could not delete {}: {}", ZkPaths.REASSIGN_PARTITIONS, e.getMessage());
    }
  }

  // ================================================================ helpers

  private static AlterPartitionReassignmentsResponse response(
      AlterPartitionReassignmentsResponse.Builder out,
      Map<TopicPartition, ReassignmentPlanner.Refusal> results) {
    Map<String, ReassignableTopicResult.Builder> byTopic = new LinkedHashMap<>();
    results.forEach(
        (tp, r) ->
            byTopic
                .computeIfAbsent(tp.topic(), t -> ReassignableTopicResult.newBuilder().setName(t))
                .addPartitions(
                    ReassignablePartitionResult.newBuilder()
                        .setPartition(tp.partition())
                        .setError(r.error())
                        .setErrorMessage(r.message())));
    byTopic.values().forEach(out::addTopics);
    return out.build();
  }
}
