package io.brook.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brook.common.TopicPartition;
import io.brook.controller.election.ElectionMode;
import io.brook.controller.election.PreferredLeaderBalancer;
import io.brook.controller.election.RequestedElection;
import io.brook.metadata.LeaderAndIsr;
import io.brook.metadata.zk.ZkPaths;
import io.brook.protocol.v1.ElectLeadersPartitionResult;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ElectLeadersTopicResult;
import io.brook.protocol.v1.ElectionType;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.TopicPartitions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Leader elections an operator asks for (ElectLeaders: PREFERRED or UNCLEAN, Kafka's KIP-460) and
 * the automatic preferred-leader rebalance ({@code auto.leader.rebalance.enable}). The decisions
 * are the pure functions {@link RequestedElection} and {@link PreferredLeaderBalancer}; this class
 * gathers their inputs from the {@link ControllerContext}, writes the new states through the active
 * controller's fenced, partition-epoch-conditional write and tells the brokers (LeaderAndIsr to the
 * replicas, UpdateMetadata to every live broker).
 *
 * <p>Thread rules: one instance per {@link ActiveController}; every method runs on the controller's
 * event thread.
 */
final class LeaderElections {
  private static final Logger log = LogManager.getLogger(LeaderElections.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes partition states (fenced, conditional); returns those written. */
  interface StateWriter {
    Map<TopicPartition, LeaderAndIsr> apply(Map<TopicPartition, LeaderAndIsr> changes);
  }

  /** Sends LeaderAndIsr for {@code parts} and UpdateMetadata for {@code topics}; leader acks. */
  interface Announcer {
    List<CompletableFuture<?>> announce(
        Collection<String> topics, Collection<TopicPartition> parts);
  }

  private final ControllerConfig cfg;
  private final ControllerContext ctx;
  private final Predicate<String> beingDeleted;
  private final Predicate<TopicPartition> beingReassigned;
  private final StateWriter writer;
  private final Announcer announcer;

  LeaderElections(
      ControllerConfig cfg,
      ControllerContext ctx,
      Predicate<String> beingDeleted,
      Predicate<TopicPartition> beingReassigned,
      StateWriter writer,
      Announcer announcer) {
    this.cfg = cfg;
    this.ctx = ctx;
    this.beingDeleted = beingDeleted;
    this.beingReassigned = beingReassigned;
    this.writer = writer;
    this.announcer = announcer;
  }

  // ================================================================ ElectLeaders

  /**
   * Elects the requested partitions; answers once their new leaders acknowledged LeaderAndIsr or
   * {@code timeout_ms} passed (the elections are written either way).
   */
  void electLeaders(ElectLeadersRequest request, CompletableFuture<ElectLeadersResponse> future) {
    boolean named = request.getTopicPartitionsCount() > 0;
    if (named == request.getAllPartitions()) {
      future.complete(
          ElectLeadersResponse.newBuilder()
              .setError(ErrorCode.INVALID_REQUEST)
              .setErrorMessage(
                  named
                      ? "Give either topic partitions or all_partitions, not both."
                      : "Give the partitions to elect or all_partitions.")
              .build());
      return;
    }
    ElectionMode mode =
        request.getElectionType() == ElectionType.UNCLEAN
            ? ElectionMode.UNCLEAN
            : ElectionMode.PREFERRED;
    List<TopicPartition> wanted = new ArrayList<>();
    if (named) {
      Set<TopicPartition> seen = new TreeSet<>();
      for (TopicPartitions t : request.getTopicPartitionsList()) {
        for (int p : t.getPartitionsList()) {
          TopicPartition tp = new TopicPartition(t.getTopic(), p);
          if (seen.add(tp)) {
            wanted.add(tp);
          }
        }
      }
    } else {
      // Every partition of every topic that is not being deleted.
      for (TopicPartition tp : ctx.allPartitions()) {
        if (!beingDeleted.test(tp.topic())) {
          wanted.add(tp);
        }
      }
    }

    Map<TopicPartition, ElectLeadersPartitionResult.Builder> results = new LinkedHashMap<>();
    Map<TopicPartition, LeaderAndIsr> writes = new TreeMap<>();
    Set<Integer> live = ctx.liveIds();
    Set<Integer> eligible = ctx.eligibleIds();
    for (TopicPartition tp : wanted) {
      ElectLeadersPartitionResult.Builder r =
          ElectLeadersPartitionResult.newBuilder().setPartition(tp.partition()).setLeader(-1);
      results.put(tp, r);
      LeaderAndIsr current = ctx.states.get(tp);
      if (current == null) {
        r.setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
            .setErrorMessage("The partition " + tp + " does not exist.");
        continue;
      }
      r.setLeader(current.leader());
      if (beingDeleted.test(tp.topic())) {
        r.setError(ErrorCode.INVALID_TOPIC)
            .setErrorMessage("Deletion of topic " + tp.topic() + " is in progress.");
        continue;
      }
      // Kafka skips partitions being moved only in the automatic rebalance; an operator's
      // election of a moving partition is allowed, so only the rebalance consults beingReassigned.
      RequestedElection.Outcome o =
          RequestedElection.decide(mode, current, ctx.replicas(tp), live, eligible, ctx.epoch);
      r.setError(o.error()).setErrorMessage(o.message());
      o.write().ifPresent(w -> writes.put(tp, w));
    }
    Map<TopicPartition, LeaderAndIsr> applied = write(mode, writes, "");
    for (TopicPartition tp : writes.keySet()) {
      LeaderAndIsr s = applied.get(tp);
      if (s == null) {
        results
            .get(tp)
            .setError(ErrorCode.INVALID_UPDATE_VERSION)
            .setErrorMessage("The partition state changed in ZooKeeper; retry the election.");
      } else {
        results.get(tp).setLeader(s.leader());
      }
    }
    ElectLeadersResponse response = response(results);
    if (applied.isEmpty()) {
      future.complete(response);
      return;
    }
    List<CompletableFuture<?>> acks = announce(applied.keySet());
    long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : cfg.requestTimeoutMs();
    CompletableFuture.allOf(
            acks.stream().map(f -> f.handle((x, e) -> null)).toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((x, e) -> future.complete(response));
  }

  private static ElectLeadersResponse response(
      Map<TopicPartition, ElectLeadersPartitionResult.Builder> results) {
    Map<String, ElectLeadersTopicResult.Builder> byTopic = new LinkedHashMap<>();
    results.forEach(
        (tp, r) ->
            byTopic
                .computeIfAbsent(tp.topic(), t -> ElectLeadersTopicResult.newBuilder().setTopic(t))
                .addPartitions(r));
    ElectLeadersResponse.Builder b = ElectLeadersResponse.newBuilder().setError(ErrorCode.NONE);
    byTopic.values().forEach(b::addTopics);
    return b.build();
  }

  // ================================================================
  // /admin/preferred_replica_election

  /**
   * Kafka's ZooKeeper-era request, {@code {"version":1,"partitions":[{"topic":"t","partition":0}]}}
   * in {@code /admin/preferred_replica_election}: a preferred election of the partitions it names,
   * as ElectLeaders would make it. The caller deletes the znode afterwards, whatever it held.
   */
  void electFromZnode(byte[] data) {
    List<TopicPartition> parts;
    try {
      parts = decodePreferredReplicaElection(data);
    } catch (IllegalArgumentException e) {
      log.error("Ignoring {}: {}", ZkPaths.PREFERRED_REPLICA_ELECTION, e.getMessage());
      return;
    }
    if (parts.isEmpty()) {
      log.warn("Ignoring {}: it names no partition", ZkPaths.PREFERRED_REPLICA_ELECTION);
      return;
    }
    Map<String, TopicPartitions.Builder> byTopic = new TreeMap<>();
    for (TopicPartition tp : parts) {
      byTopic
          .computeIfAbsent(tp.topic(), t -> TopicPartitions.newBuilder().setTopic(t))
          .addPartitions(tp.partition());
    }
    ElectLeadersRequest.Builder request =
        ElectLeadersRequest.newBuilder().setElectionType(ElectionType.PREFERRED);
    byTopic.values().forEach(request::addTopicPartitions);
    log.info(
        "Preferred replica election requested in {} for {} partitions",
        ZkPaths.PREFERRED_REPLICA_ELECTION,
        parts.size());
    CompletableFuture<ElectLeadersResponse> done = new CompletableFuture<>();
    electLeaders(request.build(), done);
    done.thenAccept(
        r ->
            r.getTopicsList()
                .forEach(
                    t ->
                        t.getPartitionsList().stream()
                            .filter(
                                p ->
                                    p.getError() != ErrorCode.NONE
                                        && p.getError() != ErrorCode.ELECTION_NOT_NEEDED)
                            .forEach(
                                p ->
                                    log.warn(
                                        "Preferred replica election of {}-{} not made: {} {}",
                                        t.getTopic(),
                                        p.getPartition(),
                                        p.getError(),
                                        p.getErrorMessage()))));
  }

  /** The partitions of a {@code /admin/preferred_replica_election} payload, in order, once each. */
  static List<TopicPartition> decodePreferredReplicaElection(byte[] data) {
    JsonNode root;
    try {
      root = JSON.readTree(data);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    if (root == null || !root.path("partitions").isArray()) {
      throw new IllegalArgumentException(
          "expected {\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0}]}");
    }
    Set<TopicPartition> out = new LinkedHashSet<>();
    for (var n : root.path("partitions")) {
      if (!n.path("topic").isTextual() || !n.path("partition").canConvertToInt()) {
        throw new IllegalArgumentException(
            "a partition needs a topic and a partition number: " + n);
      }
      out.add(new TopicPartition(n.path("topic").asText(), n.path("partition").asInt()));
    }
    return List.copyOf(out);
  }

  // ================================================================ automatic rebalance

  /**
   * One check of the automatic preferred-leader rebalance: for every broker whose leader imbalance
   * ratio is above {@code leader.imbalance.per.broker.percentage}, a preferred election of its
   * partitions that can go back to it.
   */
  void checkLeaderImbalance() {
    Map<TopicPartition, List<Integer>> replicas = new TreeMap<>();
    for (TopicPartition tp : ctx.allPartitions()) {
      if (!beingDeleted.test(tp.topic())) {
        replicas.put(tp, ctx.replicas(tp));
      }
    }
    int percentage = cfg.leaderImbalancePerBrokerPercentage();
    List<PreferredLeaderBalancer.Rebalance> plan =
        PreferredLeaderBalancer.rebalances(
            replicas,
            ctx.states,
            ctx.eligibleIds(),
            percentage,
            tp -> !beingDeleted.test(tp.topic()) && !beingReassigned.test(tp));
    Map<TopicPartition, LeaderAndIsr> writes = new TreeMap<>();
    for (PreferredLeaderBalancer.Rebalance r : plan) {
      if (r.toElect().isEmpty()) {
        log.debug(
            "Leader imbalance ratio for broker {} is {} (threshold {}), but none of its"
                + " partitions {} can move to it now",
            r.imbalance().broker(),
            ratio(r.imbalance().ratio()),
            ratio(percentage / 100.0),
            r.imbalance().notLed());
        continue;
      }
      log.info(
          "Leader imbalance ratio for broker {} is {} (threshold {}): electing preferred leaders"
              + " for {} partitions",
          r.imbalance().broker(),
          ratio(r.imbalance().ratio()),
          ratio(percentage / 100.0),
          r.toElect().size());
      for (TopicPartition tp : r.toElect()) {
        RequestedElection.decide(
                ElectionMode.PREFERRED,
                ctx.states.get(tp),
                ctx.replicas(tp),
                ctx.liveIds(),
                ctx.eligibleIds(),
                ctx.epoch)
            .write()
            .ifPresent(w -> writes.put(tp, w));
      }
    }
    Map<TopicPartition, LeaderAndIsr> applied =
        write(ElectionMode.PREFERRED, writes, " by the automatic rebalance");
    if (!applied.isEmpty()) {
      announce(applied.keySet());
    }
  }

  private static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2f", r);
  }

  // ================================================================ writes

  private Map<TopicPartition, LeaderAndIsr> write(
      ElectionMode mode, Map<TopicPartition, LeaderAndIsr> writes, String trigger) {
    if (writes.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, Integer> before = new TreeMap<>();
    writes.keySet().forEach(tp -> before.put(tp, ctx.states.get(tp).leader()));
    Map<TopicPartition, LeaderAndIsr> applied = writer.apply(writes);
    String what = mode == ElectionMode.UNCLEAN ? "Unclean" : "Preferred";
    applied.forEach(
        (tp, s) ->
            log.info(
                "{} leader election for {}: leader {} -> {} (epoch {}){}",
                what,
                tp,
                before.get(tp),
                s.leader(),
                s.leaderEpoch(),
                trigger));
    return applied;
  }

  private List<CompletableFuture<?>> announce(Collection<TopicPartition> parts) {
    Set<String> topics = new TreeSet<>();
    parts.forEach(tp -> topics.add(tp.topic()));
    return announcer.announce(topics, parts);
  }
}
