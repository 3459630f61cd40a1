package io.brook.broker.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.brook.broker.log.FetchDataInfo;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.broker.log.LogManager;
import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.log.OffsetOutOfRangeException;
import io.brook.broker.log.RecordTooLargeException;
import io.brook.broker.metrics.FetchTraffic;
import io.brook.broker.metrics.ReplicaMetricsListener;
import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.metadata.config.TopicConfigs;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.EpochEndOffset;
import io.brook.protocol.v1.EpochQuery;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartition;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopic;
import io.brook.protocol.v1.FetchTopicResponse;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.PartitionError;
import io.brook.protocol.v1.PartitionProduceData;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.ReplicaFetchData;
import io.brook.protocol.v1.ReplicaFetchPosition;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.StopReplicaPartition;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.TopicProduceData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.logging.log4j.Logger;

/**
 * The partitions this broker holds, and the produce, fetch and replication paths over them.
 *
 * <p>Applies the controller's LeaderAndIsr (creating or opening logs, becoming leader or follower
 * with the given leader epoch; older epochs are ignored): a partition becoming leader first stops
 * being fetched ({@link FollowerFetching#stopFetching}), one becoming follower stops serving
 * produce (its waiters complete with NOT_LEADER_OR_FOLLOWER) and is handed to {@link
 * FollowerFetching#startFetching} with the leader's endpoint. StopReplica stops serving and
 * fetching (and deletes the log for topic deletion). Appends producer batches as opaque bytes (the
 * log validates, stamps and appends them), answers {@code acks=all} once the high watermark passes
 * the batch through the produce purgatory, and serves long-poll fetches of consumers (up to the
 * high watermark) and of followers (up to the log end offset, {@link #fetchForFollower}) through
 * two fetch purgatories. A follower's fetch updates its state in the {@link Partition}, which may
 * advance the high watermark (completing produce waiters) or propose an ISR change (only of brokers
 * live in the metadata; a refused change waits for {@link #onLiveBrokersChanged}, a newer
 * LeaderAndIsr or replica.fetch.backoff.ms). Every replica.lag.time.max.ms / 2 the leader
 * partitions check for followers to drop from the ISR. Records are never decoded here.
 *
 * <p>Internal topics ({@code __consumer_offsets}) are written only by the group store, through
 * {@link #appendToInternalTopic}; clients' produces to them are refused. The {@link
 * LeadershipListener} hears of every partition this broker starts or stops leading.
 *
 * <p>Thread rules: every public method may be called from any thread. LeaderAndIsr and StopReplica
 * are serialized by the caller (the control-request handler). The partition map is concurrent; each
 * {@link Partition} serializes its own appends and state changes.
 */
public final class ReplicaManager implements AutoCloseable {
  private static final Logger log =
      org.apache.logging.log4j.LogManager.getLogger(ReplicaManager.class);

  static final int DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;

  /**
   * The most one partition contributes to one replica fetch response, whatever the follower allows
   * (replica.fetch.max.bytes is an upper bound; the leader may answer with less). Kept under half
   * of G1's smallest region (1 MiB): the read buffer here, and the {@code bytes} field that
   * protobuf allocates for it on the follower, are then ordinary young objects, not humongous ones
   * allocated straight into the old generation, which cost brokers under replication load about a
   * fifth of their CPU. A single batch larger than this still comes whole. Consumer fetches keep
   * max.partition.fetch.bytes: the consumer reads faster with fewer, larger responses.
   */
  static final int MAX_PARTITION_READ_BYTES = 480 * 1024;

  static final int DEFAULT_PARTITION_FETCH_MAX_BYTES = 1024 * 1024;

  public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
  public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
  public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
  public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
  public static final String REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS =
      "replica.high.watermark.checkpoint.interval.ms";

  private final int brokerId;
  private final LogManager logManager;
  private volatile Map<String, String> brokerProps;
  private final Predicate<TopicPartition> knownToCluster;
  private final Time time;
  private final FollowerFetching followerFetching;
  private final Partition.Context partitionContext;
  private final long replicaLagTimeMaxMs;
  private final int replicaFetchMaxBytes;
  private final int replicaFetchResponseMaxBytes;
  private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
  private final DelayedOperationPurgatory<TopicPartition> producePurgatory;
  private final DelayedOperationPurgatory<TopicPartition> fetchPurgatory;
  private final DelayedOperationPurgatory<TopicPartition> replicaFetchPurgatory;
  private final ScheduledFuture<?> isrExpiration;
  private final ScheduledFuture<?> highWatermarkCheckpoint;

  /** Told when this broker starts or stops leading a partition (the group store). */
  private volatile LeadershipListener leadershipListener = LeadershipListener.NONE;

  /** Told about traffic and committed ISR changes (the broker's metrics). */
  private volatile ReplicaMetricsListener metrics = ReplicaMetricsListener.NONE;

  /**
   * What is told about leadership changes of this broker's partitions: the {@code
   * __consumer_offsets} store loads a partition's groups when it becomes leader and drops them when
   * it stops. Called on the thread that applies LeaderAndIsr / StopReplica (serialized), after the
   * partition's state changed; implementations must not block.
   */
  public interface LeadershipListener {
    LeadershipListener NONE =
        new LeadershipListener() {
          @Override
          public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {}

          @Override
          public void onResign(TopicPartition tp, int leaderEpoch) {}
        };

    /** This broker now leads {@code tp} at {@code leaderEpoch} (a new leader epoch). */
    void onBecomeLeader(TopicPartition tp, int leaderEpoch);

    /**
     * This broker no longer leads {@code tp}: it follows another leader at {@code leaderEpoch}, or
     * the replica was stopped (StopReplica, deletion). May be called for partitions it never led.
     */
    void onResign(TopicPartition tp, int leaderEpoch);
  }

  /** Test-only fault: acks=all is answered as acks=1 (see the constructor). */
  private final boolean ackBeforeReplication;

  /** A broker without replication (single-replica tests): no fetcher, no controller to ask. */
  public ReplicaManager(
      int brokerId,
      LogManager logManager,
      Map<String, String> brokerProps,
      Predicate<TopicPartition> knownToCluster,
      Scheduler scheduler) {
    this(
        brokerId,
        logManager,
        brokerProps,
        knownToCluster,
        scheduler,
        Time.SYSTEM,
        FollowerFetching.NONE,
        AlterPartitionSender.NONE,
        () -> -1L);
  }

  /**
   * @param brokerProps the broker's configuration, for the broker-level defaults of topic configs
   *     and the replica.* settings
   * @param knownToCluster whether the cluster metadata knows a partition (to answer
   *     NOT_LEADER_OR_FOLLOWER rather than UNKNOWN_TOPIC_OR_PARTITION for partitions held
   *     elsewhere)
   * @param followerFetching the follower side (started and stopped by LeaderAndIsr / StopReplica;
   *     closed by {@link #close()})
   * @param alterPartitionSender where leaders send ISR change proposals
   * @param brokerEpoch this broker's registration epoch (sent with AlterPartition)
   */
  public ReplicaManager(
      int brokerId,
      LogManager logManager,
      Map<String, String> brokerProps,
      Predicate<TopicPartition> knownToCluster,
      Scheduler scheduler,
      Time time,
      FollowerFetching followerFetching,
      AlterPartitionSender alterPartitionSender,
      LongSupplier brokerEpoch) {
    this(
        brokerId,
        logManager,
        brokerProps,
        knownToCluster,
        scheduler,
        time,
        followerFetching,
        alterPartitionSender,
        brokerEpoch,
        false,
        id -> true);
  }

  /**
   * As the constructor above, plus a test-only fault and which brokers a leader may propose for its
   * ISRs.
   *
   * @param ackBeforeReplication TEST ONLY ({@code -Dbrook.test.ackBeforeReplication=true}, read by
   *     the broker's main): answer acks=all produces as acks=1 does, right after the local append,
   *     without the min.insync.replicas check and without waiting for the high watermark, so that
   *     fault-injection tests can prove their checker sees the losses this causes
   * @param isReplicaIsrEligible whether a broker may join an ISR: live in this broker's metadata
   *     (Kafka's isReplicaIsrEligible); call {@link #onLiveBrokersChanged()} when its answer may
   *     have changed
   */
  public ReplicaManager(
      int brokerId,
      LogManager logManager,
      Map<String, String> brokerProps,
      Predicate<TopicPartition> knownToCluster,
      Scheduler scheduler,
      Time time,
      FollowerFetching followerFetching,
      AlterPartitionSender alterPartitionSender,
      LongSupplier brokerEpoch,
      boolean ackBeforeReplication,
      IntPredicate isReplicaIsrEligible) {
    this.brokerId = brokerId;
    this.ackBeforeReplication = ackBeforeReplication;
    this.logManager = logManager;
    this.brokerProps = Map.copyOf(brokerProps);
    this.knownToCluster = knownToCluster;
    this.time = time;
    this.followerFetching = followerFetching;
    this.replicaLagTimeMaxMs =
        Long.parseLong(brokerProps.getOrDefault(REPLICA_LAG_TIME_MAX_MS, "30000"));
    this.replicaFetchMaxBytes =
        Integer.parseInt(brokerProps.getOrDefault(REPLICA_FETCH_MAX_BYTES, "1048576"));
    this.replicaFetchResponseMaxBytes =
        Integer.parseInt(brokerProps.getOrDefault(REPLICA_FETCH_RESPONSE_MAX_BYTES, "10485760"));
    this.partitionContext =
        new Partition.Context(
            time,
            replicaLagTimeMaxMs,
            alterPartitionSender,
            brokerEpoch,
            p -> completeWaiters(p.topicPartition()),
            isReplicaIsrEligible,
            Long.parseLong(
                brokerProps.getOrDefault(
                    REPLICA_FETCH_BACKOFF_MS,
                    String.valueOf(Partition.Context.DEFAULT_RETRY_BACKOFF_MS))));
    this.producePurgatory = new DelayedOperationPurgatory<>("produce", scheduler);
    this.fetchPurgatory = new DelayedOperationPurgatory<>("fetch", scheduler);
    this.replicaFetchPurgatory = new DelayedOperationPurgatory<>("replica-fetch", scheduler);
    long checkEvery = Math.max(1, replicaLagTimeMaxMs / 2);
    this.isrExpiration =
        scheduler.schedule("isr-expiration", this::maybeShrinkIsr, checkEvery, checkEvery);
    long hwEvery =
        Long.parseLong(
            brokerProps.getOrDefault(REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS, "5000"));
    this.highWatermarkCheckpoint =
        scheduler.schedule(
            "highwatermark-checkpoint", this::checkpointHighWatermarks, hwEvery, hwEvery);
  }

  private void checkpointHighWatermarks() {
    try {
      logManager.checkpointHighWatermarks();
    } catch (RuntimeException e) {
      log.error("Could not checkpoint the high watermarks", e);
    }
  }

  /** Proposes ISR shrinks where followers lag (every replica.lag.time.max.ms / 2). */
  public void maybeShrinkIsr() {
    for (Partition p : partitions.values()) {
      if (p.isLeader()) {
        try {
          p.maybeShrinkIsr();
        } catch (RuntimeException e) {
          log.error("ISR check of {} failed", p.topicPartition(), e);
        }
      }
    }
  }

  /**
   * The live brokers in this broker's metadata changed (an UpdateMetadata): ISR changes the
   * controller refused may be accepted now, so leaders may propose them again at once.
   */
  public void onLiveBrokersChanged() {
    for (Partition p : partitions.values()) {
      p.onLiveBrokersChanged();
    }
  }

  /**
   * Sets who is told about leadership changes (one listener; replaces the previous). Set it before
   * the broker receives LeaderAndIsr requests; partitions led already are not replayed.
   */
  public void setLeadershipListener(LeadershipListener listener) {
    this.leadershipListener = listener == null ? LeadershipListener.NONE : listener;
  }

  /**
   * Sets who is told about traffic per topic and committed ISR changes (the broker's metrics); set
   * it before the broker receives LeaderAndIsr requests.
   */
  public void setMetricsListener(ReplicaMetricsListener listener) {
    this.metrics = listener == null ? ReplicaMetricsListener.NONE : listener;
    partitions.values().forEach(p -> p.setMetricsListener(metrics));
  }

  public Optional<Partition> partition(TopicPartition tp) {
    return Optional.ofNullable(partitions.get(tp));
  }

  public Collection<Partition> partitions() {
    return partitions.values();
  }

  // ------------------------------------------------------------------ controller requests

  /** A partition of a LeaderAndIsr request that is newer than what this broker has. */
  private record Change(Partition partition, PartitionState state) {}

  /**
   * Applies a LeaderAndIsr request (epochs already checked); returns per-partition errors.
   * Partitions becoming leader stop being fetched before they take appends; partitions becoming
   * follower (or changing leader epoch) are handed to the fetcher after their state changed.
   */
  public List<PartitionError> applyLeaderAndIsr(LeaderAndIsrRequest req) {
    List<PartitionError> errors = new ArrayList<>();
    Map<Integer, BrokerEndpoint> endpoints = new HashMap<>();
    req.getLiveLeadersList().forEach(e -> endpoints.put(e.getId(), e));
    List<Change> toLeader = new ArrayList<>();
    List<Change> toFollower = new ArrayList<>();
    Map<String, String> propsUsed = brokerProps;
    for (LeaderAndIsrTopic t : req.getTopicsList()) {
      Map<String, String> effective = TopicConfigs.effective(propsUsed, t.getConfigsMap());
      rememberTopicConfigs(t.getTopic(), t.getConfigsMap());
      for (PartitionState ps : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getTopic(), ps.getPartition());
        try {
          Partition p = getOrCreatePartition(tp, UUID.fromString(t.getTopicId()), effective);
          Partition.State cur = p.state();
          if (ps.getLeaderEpoch() < cur.leaderEpoch()) {
            String message =
                "Leader epoch "
                    + ps.getLeaderEpoch()
                    + " for "
                    + tp
                    + " is older than the current "
                    + cur.leaderEpoch()
                    + "; ignored";
            log.warn(message);
            errors.add(error(tp, ErrorCode.FENCED_LEADER_EPOCH, message));
          } else if (ps.getLeaderEpoch() > cur.leaderEpoch()
              || ps.getPartitionEpoch() > cur.partitionEpoch()) {
            (ps.getLeader() == brokerId ? toLeader : toFollower).add(new Change(p, ps));
          }
        } catch (RuntimeException e) {
          String message = ErrorMapper.message(e);
          log.error("Could not apply LeaderAndIsr for {}: {}", tp, message, e);
          errors.add(error(tp, ErrorMapper.code(e), message));
        }
      }
    }

    // Becoming leader: no fetcher may append to these logs any more.
    List<TopicPartition> stop = new ArrayList<>();
    for (Change c : toLeader) {
      Partition.State cur = c.partition.state();
      if (cur.leader() != brokerId || cur.leaderEpoch() != c.state.getLeaderEpoch()) {
        stop.add(c.partition.topicPartition());
      }
    }
    stopFetching(stop);
    for (Change c : toLeader) {
      Partition.State before = c.partition.state();
      if (apply(c, errors)
          && (before.leader() != brokerId || before.leaderEpoch() != c.state.getLeaderEpoch())) {
        notifyLeadership(c.partition.topicPartition(), true, c.state.getLeaderEpoch());
      }
    }

    // Becoming (or staying, with a new epoch) follower.
    Map<Partition, FollowerFetching.FetchStart> start = new LinkedHashMap<>();
    List<TopicPartition> offline = new ArrayList<>();
    for (Change c : toFollower) {
      Partition.State before = c.partition.state();
      if (!apply(c, errors)) {
        continue;
      }
      int leader = c.state.getLeader();
      if (before.leader() == leader && before.leaderEpoch() == c.state.getLeaderEpoch()) {
        continue; // an ISR change only: the fetcher goes on
      }
      notifyLeadership(c.partition.topicPartition(), false, c.state.getLeaderEpoch());
      BrokerEndpoint endpoint = endpoints.get(leader);
      if (leader < 0 || endpoint == null) {
        if (leader >= 0) {
          log.warn(
              "LeaderAndIsr names broker {} as the leader of {} but not its endpoint; not fetching",
              leader,
              c.partition.topicPartition());
        }
        offline.add(c.partition.topicPartition());
      } else {
        start.put(
            c.partition,
            new FollowerFetching.FetchStart(leader, endpoint, c.state.getLeaderEpoch()));
      }
    }
    stopFetching(offline);
    if (!start.isEmpty()) {
      followerFetching.startFetching(start);
    }
    synchronized (configLock) {
      if (brokerProps != propsUsed) {
        // a dynamic broker config changed while this request applied the older one: the logs
        // it created or configured get the new defaults too
        for (LeaderAndIsrTopic t : req.getTopicsList()) {
          reapply(t.getTopic(), topicOverrides.getOrDefault(t.getTopic(), t.getConfigsMap()));
        }
      }
    }
    return errors;
  }

  private void notifyLeadership(TopicPartition tp, boolean leader, int leaderEpoch) {
    try {
      if (leader) {
        leadershipListener.onBecomeLeader(tp, leaderEpoch);
      } else {
        leadershipListener.onResign(tp, leaderEpoch);
      }
    } catch (RuntimeException e) {
      log.error("The leadership listener failed for {} (leader: {})", tp, leader, e);
    }
  }

  private boolean apply(Change c, List<PartitionError> errors) {
    PartitionState ps = c.state;
    TopicPartition tp = c.partition.topicPartition();
    try {
      boolean applied =
          c.partition.applyState(
              ps.getLeader(),
              ps.getLeaderEpoch(),
              ps.getPartitionEpoch(),
              ps.getIsrList(),
              ps.getReplicasList());
      // Waiters on this partition may now fail (leadership moved) or succeed (ISR shrank).
      completeWaiters(tp);
      return applied;
    } catch (RuntimeException e) {
      String message = ErrorMapper.message(e);
      log.error("Could not apply LeaderAndIsr for {}: {}", tp, message, e);
      errors.add(error(tp, ErrorMapper.code(e), message));
      return false;
    }
  }

  private void stopFetching(List<TopicPartition> tps) {
    if (!tps.isEmpty()) {
      followerFetching.stopFetching(tps);
    }
  }

  private static PartitionError error(TopicPartition tp, ErrorCode code, String message) {
    return PartitionError.newBuilder()
        .setTopic(tp.topic())
        .setPartition(tp.partition())
        .setError(code)
        .setErrorMessage(message)
        .build();
  }

  private Partition getOrCreatePartition(
      TopicPartition tp, UUID topicId, Map<String, String> effective) {
    LogConfig config = LogConfig.fromMap(effective);
    int minIsr = Integer.parseInt(effective.getOrDefault("min.insync.replicas", "1"));
    Partition existing = partitions.get(tp);
    if (existing != null && existing.topicId().equals(topicId)) {
      if (!existing.log().config().equals(config)) {
        existing.log().updateConfig(config);
      }
      existing.setMinInsyncReplicas(minIsr);
      return existing;
    }
    if (existing != null) {
      // The topic was deleted and re-created while this broker missed the deletion.
      log.info("{} now belongs to topic id {}; dropping the old replica", tp, topicId);
      followerFetching.stopFetching(List.of(tp));
      existing.stop();
      partitions.remove(tp, existing);
      completeWaiters(tp);
      notifyLeadership(tp, false, existing.leaderEpoch());
    }
    Log partitionLog = logManager.getOrCreateLog(tp, topicId, config);
    Partition p = new Partition(tp, brokerId, partitionLog, minIsr, partitionContext);
    p.setMetricsListener(metrics);
    partitions.put(tp, p);
    return p;
  }

  /** Applies a StopReplica request (epochs already checked); returns per-partition errors. */
  public List<PartitionError> stopReplicas(StopReplicaRequest req) {
    List<PartitionError> errors = new ArrayList<>();
    for (StopReplicaPartition sp : req.getPartitionsList()) {
      TopicPartition tp = new TopicPartition(sp.getTopic(), sp.getPartition());
      try {
        Partition p = partitions.get(tp);
        if (p != null && sp.getLeaderEpoch() >= 0 && sp.getLeaderEpoch() < p.leaderEpoch()) {
          errors.add(
              PartitionError.newBuilder()
                  .setTopic(tp.topic())
                  .setPartition(tp.partition())
                  .setError(ErrorCode.FENCED_LEADER_EPOCH)
                  .setErrorMessage(
                      "StopReplica for "
                          + tp
                          + " carries leader epoch "
                          + sp.getLeaderEpoch()
                          + ", older than "
                          + p.leaderEpoch())
                  .build());
          continue;
        }
        followerFetching.stopFetching(List.of(tp));
        if (p != null) {
          p.stop();
          partitions.remove(tp, p);
          completeWaiters(tp);
          notifyLeadership(tp, false, p.leaderEpoch());
        }
        if (sp.getDeletePartition() && logManager.getLog(tp).isPresent()) {
          logManager.deleteLog(tp);
          log.info("Deleted replica {} on broker {}", tp, brokerId);
        } else if (p != null) {
          log.info("Stopped replica {} on broker {}", tp, brokerId);
        }
      } catch (RuntimeException e) {
        log.error("Could not stop replica {}", tp, e);
        errors.add(
            PartitionError.newBuilder()
                .setTopic(tp.topic())
                .setPartition(tp.partition())
                .setError(ErrorMapper.code(e))
                .setErrorMessage(ErrorMapper.message(e))
                .build());
      }
    }
    return errors;
  }

  private void completeWaiters(TopicPartition tp) {
    producePurgatory.checkAndComplete(tp);
    fetchPurgatory.checkAndComplete(tp);
    replicaFetchPurgatory.checkAndComplete(tp);
  }

  // ------------------------------------------------------------------ produce

  /**
   * Appends the batches of a produce request. With acks 0 or 1 the future is complete when this
   * method returns; with acks=-1 it completes once every partition's high watermark passed its
   * batches, or at timeout_ms. Partitions are appended in request order on the calling thread, so a
   * caller that calls this in stream order keeps the stream's order. Internal topics ({@code
   * __consumer_offsets}) are refused with INVALID_TOPIC, as Kafka refuses clients' appends to them.
   */
  public CompletableFuture<ProduceResponse> appendRecords(ProduceRequest req) {
    return appendRecords(req, false);
  }

  /**
   * Appends one batch to a partition of an internal topic that this broker leads, with {@code
   * acks=all} semantics (Kafka's {@code appendRecords} with {@code internalTopicsAllowed = true}):
   * refused with NOT_ENOUGH_REPLICAS before appending when the ISR is below min.insync.replicas;
   * otherwise the future completes once the high watermark passed the batch (error NONE, base
   * offset set), or with NOT_LEADER_OR_FOLLOWER / NOT_ENOUGH_REPLICAS_AFTER_APPEND /
   * REQUEST_TIMED_OUT (after {@code timeoutMs}) / a storage error. Never completes exceptionally.
   *
   * @param batch one record batch as a producer builds it (base offset 0); the log stamps it
   */
  public CompletableFuture<PartitionProduceResponse> appendToInternalTopic(
      TopicPartition tp, ByteBuffer batch, int timeoutMs) {
    ProduceRequest req =
        ProduceRequest.newBuilder()
            .setAcks(-1)
            .setTimeoutMs(timeoutMs)
            .addTopics(
                TopicProduceData.newBuilder()
                    .setTopic(tp.topic())
                    .addPartitions(
                        PartitionProduceData.newBuilder()
                            .setPartition(tp.partition())
                            .setRecords(UnsafeByteOperations.unsafeWrap(batch.duplicate()))))
            .build();
    return appendRecords(req, true)
        .handle(
            (r, e) -> {
              if (e != null) {
                return PartitionProduceResponse.newBuilder()
                    .setPartition(tp.partition())
                    .setBaseOffset(-1)
                    .setError(ErrorMapper.code(e))
                    .setErrorMessage(ErrorMapper.message(e))
                    .build();
              }
              return r.getTopics(0).getPartitions(0);
            });
  }

  private CompletableFuture<ProduceResponse> appendRecords(
      ProduceRequest req, boolean internalTopicsAllowed) {
    int acks = req.getAcks();
    if (acks != -1 && acks != 0 && acks != 1) {
      return CompletableFuture.completedFuture(
          ProduceResponse.newBuilder()
              .setRequestId(req.getRequestId())
              .setError(ErrorCode.INVALID_REQUIRED_ACKS)
              .setErrorMessage("acks must be -1 (all), 0 or 1, not " + acks)
              .build());
    }
    // The test-only fault answers acks=all as acks=1: no min.insync.replicas check, no waiting.
    int appendAcks = acks == -1 && ackBeforeReplication ? 1 : acks;
    List<DelayedProduce.PartitionStatus> statuses = new ArrayList<>();
    boolean anyPending = false;
    for (TopicProduceData t : req.getTopicsList()) {
      for (PartitionProduceData pd : t.getPartitionsList()) {
        DelayedProduce.PartitionStatus s =
            appendToPartition(t.getTopic(), pd, appendAcks, internalTopicsAllowed);
        anyPending |= s.pending;
        statuses.add(s);
      }
    }
    if (!anyPending) {
      return CompletableFuture.completedFuture(
          DelayedProduce.buildResponse(req.getRequestId(), statuses));
    }
    DelayedProduce op =
        new DelayedProduce(
            req.getRequestId(), Math.max(0, req.getTimeoutMs()), statuses, partitions::get);
    producePurgatory.tryCompleteElseWatch(op, op.pendingPartitions());
    return op.future();
  }

  private DelayedProduce.PartitionStatus appendToPartition(
      String topic, PartitionProduceData pd, int acks, boolean internalTopicsAllowed) {
    TopicPartition tp = new TopicPartition(topic, pd.getPartition());
    PartitionProduceResponse.Builder r =
        PartitionProduceResponse.newBuilder()
            .setPartition(pd.getPartition())
            .setBaseOffset(-1)
            .setLogAppendTimeMs(-1)
            .setLogStartOffset(-1);
    try {
      Optional<String> invalid = Topic.invalidReason(topic);
      if (invalid.isPresent()) {
        throw new ApiException(ErrorCode.INVALID_TOPIC, invalid.get());
      }
      if (!internalTopicsAllowed && Topic.isInternal(topic)) {
        throw new ApiException(
            ErrorCode.INVALID_TOPIC,
            "Cannot append to internal topic "
                + topic
                + ": only the group coordinator writes to it");
      }
      Partition p = partitions.get(tp);
      if (p == null) {
        throw notHere(tp);
      }
      ByteString bytes = pd.getRecords();
      if (bytes.isEmpty()) {
        throw new ApiException(ErrorCode.CORRUPT_MESSAGE, "No record batch for " + tp);
      }
      // The log stamps base offset and leader epoch into the batch header, so it gets a buffer of
      // its own: one copy out of the request, into this thread's direct scratch buffer, which the
      // log then writes with one pwrite (a heap buffer costs an allocation and the JDK's own copy
      // into a direct buffer). The log does not keep the buffer past the append.
      ByteBuffer records = AppendScratch.forSize(bytes.size());
      bytes.copyTo(records);
      records.flip();
      Partition.AppendResult result = p.appendAsLeader(records, acks);
      if (!result.info().duplicate()) {
        metrics.onAppend(topic, result.info().validBytes(), result.info().numRecords());
      }
      replicaFetchPurgatory.checkAndComplete(tp);
      if (result.highWatermarkMoved()) {
        producePurgatory.checkAndComplete(tp);
        fetchPurgatory.checkAndComplete(tp);
      }
      r.setBaseOffset(result.info().firstOffset())
          .setLogAppendTimeMs(result.info().logAppendTime())
          .setLogStartOffset(result.info().logStartOffset());
      long required = result.info().lastOffset() + 1;
      boolean pending = acks == -1 && p.highWatermark() < required;
      return new DelayedProduce.PartitionStatus(tp, r, required, pending);
    } catch (RecordTooLargeException e) {
      String msg = ErrorMapper.message(e);
      if (!msg.contains(topic)) {
        msg = msg + " for topic \"" + topic + "\"";
      }
      r.setError(ErrorCode.RECORD_TOO_LARGE).setErrorMessage(msg);
    } catch (RuntimeException e) {
      r.setError(ErrorMapper.code(e)).setErrorMessage(ErrorMapper.message(e));
      if (r.getError() == ErrorCode.CORRUPT_MESSAGE
          || r.getError() == ErrorCode.KAFKA_STORAGE_ERROR) {
        log.warn("Produce to {} failed: {}", tp, r.getErrorMessage());
      }
    }
    return new DelayedProduce.PartitionStatus(tp, r, -1, false);
  }

  private ApiException notHere(TopicPartition tp) {
    if (knownToCluster.test(tp)) {
      return new ApiException(
          ErrorCode.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " does not lead " + tp);
    }
    return new ApiException(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host " + tp);
  }

  /** The partition if this broker leads it and the client's leader epoch (-1: none) matches. */
  Partition leaderPartition(TopicPartition tp, int currentLeaderEpoch) {
    Partition p = partitions.get(tp);
    if (p == null) {
      throw notHere(tp);
    }
    int epoch = p.leaderEpoch();
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < epoch) {
      throw new ApiException(
          ErrorCode.FENCED_LEADER_EPOCH,
          "Leader epoch " + currentLeaderEpoch + " of " + tp + " is older than " + epoch);
    }
    if (currentLeaderEpoch > epoch) {
      throw new ApiException(
          ErrorCode.UNKNOWN_LEADER_EPOCH,
          "Leader epoch " + currentLeaderEpoch + " of " + tp + " is newer than " + epoch);
    }
    if (!p.isLeader()) {
      throw new ApiException(
          ErrorCode.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " does not lead " + tp);
    }
    return p;
  }

  // ------------------------------------------------------------------ fetch

  /**
   * A long-poll fetch: answers at once when {@code min_bytes} are readable, an error occurred, or
   * {@code max_wait_ms} is 0; otherwise waits in the fetch purgatory until appends make {@code
   * min_bytes} readable or {@code max_wait_ms} passes.
   */
  public CompletableFuture<FetchResponse> fetch(FetchRequest req) {
    // What each partition looked like BEFORE the read: an append landing between the read and
    // this snapshot would otherwise count as seen, and the fetch would sleep through it.
    List<DelayedFetch.Watched> watched = new ArrayList<>();
    if (req.getMaxWaitMs() > 0) {
      for (FetchTopic t : req.getTopicsList()) {
        for (FetchPartition fp : t.getPartitionsList()) {
          TopicPartition tp = new TopicPartition(t.getTopic(), fp.getPartition());
          Partition p = partitions.get(tp);
          watched.add(
              new DelayedFetch.Watched(
                  tp,
                  fp.getFetchOffset(),
                  p,
                  p == null ? -1 : p.leaderEpoch(),
                  p == null ? 0 : p.appendedBytes()));
        }
      }
    }
    FetchRead first = read(req);
    int minBytes = Math.max(1, req.getMinBytes());
    if (req.getMaxWaitMs() <= 0 || first.bytes >= minBytes || first.error || first.empty) {
      return CompletableFuture.completedFuture(
          FetchTraffic.countConsumerFetch(metrics, first.response));
    }
    DelayedFetch<FetchResponse> op =
        new DelayedFetch<>(
            req.getMaxWaitMs(),
            minBytes,
            first.bytes,
            true,
            watched,
            partitions::get,
            () -> read(req).response);
    fetchPurgatory.tryCompleteElseWatch(op, op.keys());
    op.future().thenAccept(r -> FetchTraffic.countConsumerFetch(metrics, r));
    return op.future();
  }

  private record FetchRead(FetchResponse response, int bytes, boolean error, boolean empty) {}

  /** Reads every partition of the request once, within max_bytes and partition_max_bytes. */
  private FetchRead read(FetchRequest req) {
    int maxBytes = req.getMaxBytes() > 0 ? req.getMaxBytes() : DEFAULT_FETCH_MAX_BYTES;
    int remaining = maxBytes;
    int total = 0;
    boolean anyError = false;
    boolean any = false;
    FetchResponse.Builder resp = FetchResponse.newBuilder();
    for (FetchTopic t : req.getTopicsList()) {
      FetchTopicResponse.Builder tr = FetchTopicResponse.newBuilder().setTopic(t.getTopic());
      for (FetchPartition fp : t.getPartitionsList()) {
        any = true;
        TopicPartition tp = new TopicPartition(t.getTopic(), fp.getPartition());
        FetchPartitionResponse.Builder pr =
            FetchPartitionResponse.newBuilder()
                .setPartition(fp.getPartition())
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1);
        Partition p = null;
        try {
          p = leaderPartition(tp, fp.getCurrentLeaderEpoch());
          long hw = p.highWatermark();
          int partMax =
              fp.getPartitionMaxBytes() > 0
                  ? fp.getPartitionMaxBytes()
                  : DEFAULT_PARTITION_FETCH_MAX_BYTES;
          // The first batch is always returned, so that a consumer makes progress.
          FetchDataInfo data =
              p.log().read(fp.getFetchOffset(), Math.min(remaining, partMax), hw, total == 0);
          ByteBuffer records = data.records();
          int n = records.remaining();
          pr.setHighWatermark(hw).setLastStableOffset(hw).setLogStartOffset(data.logStartOffset());
          if (n > 0) {
            pr.setRecords(UnsafeByteOperations.unsafeWrap(records));
            total += n;
            remaining = Math.max(0, remaining - n);
          }
        } catch (RuntimeException e) {
          anyError = true;
          pr.setError(ErrorMapper.code(e)).setErrorMessage(ErrorMapper.message(e));
          if (p != null) {
            long hw = p.highWatermark();
            pr.setHighWatermark(hw)
                .setLastStableOffset(hw)
                .setLogStartOffset(p.log().logStartOffset());
          }
        }
        tr.addPartitions(pr);
      }
      resp.addTopics(tr);
    }
    return new FetchRead(resp.build(), total, anyError, !any);
  }

  // ------------------------------------------------------------------ replication (leader side)

  /**
   * A follower's fetch (one request of a Replicate stream). Per partition: checks the leader epoch
   * (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH / NOT_LEADER_OR_FOLLOWER), detects a diverging log
   * from the follower's last fetched epoch (then answers the epoch's end offset and no records),
   * refuses offsets outside the log (OFFSET_OUT_OF_RANGE), records the fetch offset as the
   * follower's log end offset (which may advance the high watermark, completing acks=all waiters,
   * and propose adding the follower to the ISR), and reads from the fetch offset up to the log end
   * offset. Answers at once when {@code min_bytes} are there, an error or divergence occurred, or
   * {@code max_wait_ms} is 0; otherwise waits in the replica-fetch purgatory for appends.
   */
  public CompletableFuture<ReplicaFetchResponse> fetchForFollower(ReplicaFetchRequest req) {
    // Snapshot before the read (as in fetch): an append between the read and the snapshot must
    // still wake this fetch, or the follower (and every acks=all producer) waits max_wait_ms.
    List<DelayedFetch.Watched> watched = new ArrayList<>();
    if (req.getMaxWaitMs() > 0) {
      for (ReplicaFetchPosition pos : req.getPositionsList()) {
        TopicPartition tp = new TopicPartition(pos.getTopic(), pos.getPartition());
        Partition p = partitions.get(tp);
        watched.add(
            new DelayedFetch.Watched(
                tp,
                pos.getFetchOffset(),
                p,
                p == null ? -1 : p.leaderEpoch(),
                p == null ? 0 : p.appendedBytes()));
      }
    }
    ReplicaRead first = readForFollower(req, true);
    int minBytes = Math.max(1, req.getMinBytes());
    // A request without positions waits max_wait_ms too (an idle follower must not spin).
    if (req.getMaxWaitMs() <= 0 || first.bytes >= minBytes || first.answerNow) {
      return CompletableFuture.completedFuture(
          FetchTraffic.countReplicaFetch(metrics, first.response));
    }
    DelayedFetch<ReplicaFetchResponse> op =
        new DelayedFetch<>(
            req.getMaxWaitMs(),
            minBytes,
            first.bytes,
            false,
            watched,
            partitions::get,
            () -> readForFollower(req, false).response);
    replicaFetchPurgatory.tryCompleteElseWatch(op, op.keys());
    op.future().thenAccept(r -> FetchTraffic.countReplicaFetch(metrics, r));
    return op.future();
  }

  private record ReplicaRead(ReplicaFetchResponse response, int bytes, boolean answerNow) {}

  private static final EpochEndOffset NOT_DIVERGING =
      EpochEndOffset.newBuilder().setLeaderEpoch(-1).setEndOffset(-1).build();

  /**
   * Reads every partition of a follower's request once. With {@code updateState}, validates the
   * positions and records them as the follower's state (the first read of a request); the read that
   * completes a waiting fetch only reads.
   */
  private ReplicaRead readForFollower(ReplicaFetchRequest req, boolean updateState) {
    int maxBytes = req.getMaxBytes() > 0 ? req.getMaxBytes() : replicaFetchResponseMaxBytes;
    int remaining = maxBytes;
    int total = 0;
    boolean answerNow = false;
    long now = time.milliseconds();
    List<ReplicaFetchPosition> positions = req.getPositionsList();
    int n = positions.size();
    // Rotate the start so that a busy partition cannot starve the ones after it.
    int startAt = n == 0 ? 0 : (int) Math.floorMod(req.getRequestId(), (long) n);
    ReplicaFetchResponse.Builder resp = ReplicaFetchResponse.newBuilder();
    resp.setRequestId(req.getRequestId());
    for (int i = 0; i < n; i++) {
      ReplicaFetchPosition pos = positions.get((startAt + i) % n);
      TopicPartition tp = new TopicPartition(pos.getTopic(), pos.getPartition());
      ReplicaFetchData.Builder d =
          ReplicaFetchData.newBuilder()
              .setTopic(pos.getTopic())
              .setPartition(pos.getPartition())
              .setHighWatermark(-1)
              .setLogStartOffset(-1)
              .setDivergingEpoch(NOT_DIVERGING);
      Partition p = null;
      try {
        p = leaderPartition(tp, pos.getCurrentLeaderEpoch());
        Log plog = p.log();
        long fetchOffset = pos.getFetchOffset();
        if (pos.getLastFetchedEpoch() >= 0) {
          OffsetAndEpoch end = endOffsetForEpoch(p, pos.getLastFetchedEpoch());
          if (end.epoch() < pos.getLastFetchedEpoch() || end.offset() < fetchOffset) {
            d.setDivergingEpoch(
                    EpochEndOffset.newBuilder()
                        .setTopic(tp.topic())
                        .setPartition(tp.partition())
                        .setLeaderEpoch(end.epoch())
                        .setEndOffset(end.offset()))
                .setHighWatermark(p.highWatermark())
                .setLogStartOffset(plog.logStartOffset());
            answerNow = true;
            resp.addPartitions(d);
            continue;
          }
        }
        long leo = plog.logEndOffset();
        if (fetchOffset > leo || fetchOffset < plog.logStartOffset()) {
          throw new OffsetOutOfRangeException(
              "Fetch offset "
                  + fetchOffset
                  + " of follower "
                  + req.getReplicaId()
                  + " is outside the log of "
                  + tp
                  + " ["
                  + plog.logStartOffset()
                  + ", "
                  + leo
                  + "]");
        }
        if (updateState && p.updateFollowerFetchState(req.getReplicaId(), fetchOffset, now)) {
          producePurgatory.checkAndComplete(tp);
          fetchPurgatory.checkAndComplete(tp);
        }
        // Replication throttle (leader side): only towards followers outside the ISR.
        boolean throttled =
            leaderQuota.isThrottled(tp) && !p.state().isr().contains(req.getReplicaId());
        if (remaining > 0 && fetchOffset < leo && throttled && leaderQuota.isQuotaExceeded()) {
          leaderQuota.recordSkip(tp); // skipped this round; the follower asks again
        } else if (remaining > 0 && fetchOffset < leo) {
          int partMax =
              Math.min(
                  MAX_PARTITION_READ_BYTES,
                  pos.getPartitionMaxBytes() > 0
                      ? pos.getPartitionMaxBytes()
                      : replicaFetchMaxBytes);
          FetchDataInfo data =
              plog.read(fetchOffset, Math.min(remaining, partMax), Long.MAX_VALUE, true);
          ByteBuffer records = data.records();
          int size = records.remaining();
          if (size > 0) {
            d.setRecords(UnsafeByteOperations.unsafeWrap(records));
            total += size;
            remaining = Math.max(0, remaining - size);
            if (throttled) {
              leaderQuota.record(size);
            }
          }
        }
        d.setHighWatermark(p.highWatermark()).setLogStartOffset(plog.logStartOffset());
      } catch (RuntimeException e) {
        answerNow = true;
        d.setError(ErrorMapper.code(e)).setErrorMessage(ErrorMapper.message(e));
        if (p != null) {
          d.setHighWatermark(p.highWatermark()).setLogStartOffset(p.log().logStartOffset());
        }
      }
      resp.addPartitions(d);
    }
    return new ReplicaRead(resp.build(), total, answerNow);
  }

  /**
   * The leader's answer for the end of {@code requestedEpoch} (Kafka's LeaderEpochFileCache
   * semantics), counting the current leader epoch as starting at the log end offset it had when
   * this broker became leader even before a batch was appended in it.
   */
  static OffsetAndEpoch endOffsetForEpoch(Partition p, int requestedEpoch) {
    Log plog = p.log();
    int current = p.leaderEpoch();
    OptionalInt latest = plog.latestEpoch();
    OffsetAndEpoch r = plog.endOffsetForEpoch(requestedEpoch);
    if (latest.isPresent() && latest.getAsInt() >= current) {
      return r;
    }
    // The cache lacks the current epoch (nothing appended in it yet): add it virtually.
    if (requestedEpoch == current) {
      return new OffsetAndEpoch(plog.logEndOffset(), current);
    }
    if (requestedEpoch > current) {
      return new OffsetAndEpoch(-1, -1);
    }
    if (r.offset() < 0) {
      long start = p.leaderEpochStartOffset();
      if (start < 0) {
        start = plog.logEndOffset();
      }
      int floor =
          latest.isPresent() && latest.getAsInt() <= requestedEpoch
              ? latest.getAsInt()
              : requestedEpoch;
      return new OffsetAndEpoch(start, floor);
    }
    return r;
  }

  /**
   * The leader's end offset of each requested epoch (see {@link #endOffsetForEpoch}), with the
   * leader-epoch checks of a follower fetch.
   */
  public OffsetForLeaderEpochResponse offsetForLeaderEpoch(OffsetForLeaderEpochRequest req) {
    OffsetForLeaderEpochResponse.Builder resp = OffsetForLeaderEpochResponse.newBuilder();
    for (EpochQuery q : req.getPartitionsList()) {
      TopicPartition tp = new TopicPartition(q.getTopic(), q.getPartition());
      EpochEndOffset.Builder e =
          EpochEndOffset.newBuilder()
              .setTopic(q.getTopic())
              .setPartition(q.getPartition())
              .setLeaderEpoch(-1)
              .setEndOffset(-1);
      try {
        Partition p = leaderPartition(tp, q.getCurrentLeaderEpoch());
        OffsetAndEpoch end = endOffsetForEpoch(p, q.getLeaderEpoch());
        e.setLeaderEpoch(end.epoch()).setEndOffset(end.offset());
      } catch (RuntimeException ex) {
        e.setError(ErrorMapper.code(ex));
      }
      resp.addPartitions(e);
    }
    return resp.build();
  }

  /** The follower side this manager drives (tests stall a follower through it). */
  public FollowerFetching followerFetching() {
    return followerFetching;
  }

  /** Follower fetches waiting in the purgatory (for tests and metrics). */
  public int waitingReplicaFetches() {
    return replicaFetchPurgatory.watched();
  }

  /** Partitions led here, keyed by topic; for ListOffsets. */
  public Partition leaderFor(TopicPartition tp, int currentLeaderEpoch) {
    return leaderPartition(tp, currentLeaderEpoch);
  }

  /** Long-poll fetches waiting in the purgatory (for tests and metrics). */
  public int waitingFetches() {
    return fetchPurgatory.watched();
  }

  /** acks=all produces waiting in the purgatory (for tests and metrics). */
  public int waitingProduces() {
    return producePurgatory.watched();
  }

  /** Completes every waiting produce and fetch (the broker is shutting down). */
  @Override
  public void close() {
    isrExpiration.cancel(false);
    highWatermarkCheckpoint.cancel(false);
    try {
      followerFetching.close();
    } catch (RuntimeException e) {
      log.error("Could not stop the replica fetchers", e);
    }
    producePurgatory.close();
    fetchPurgatory.close();
    replicaFetchPurgatory.close();
    for (Partition p : partitions.values()) {
      p.stop();
    }
  }

  /** Leaders by topic, for logging and tests. */
  public Map<TopicPartition, Integer> leaderEpochs() {
    Map<TopicPartition, Integer> m = new LinkedHashMap<>();
    partitions.forEach((tp, p) -> m.put(tp, p.leaderEpoch()));
    return m;
  }

  // ================================================================ dynamic configs and throttles

  /** The topic overrides last heard from the controller, by topic. */
  private final Map<String, Map<String, String>> topicOverrides = new ConcurrentHashMap<>();

  private final Object configLock = new Object();
  private volatile ReplicationQuota leaderQuota =
      ReplicationQuota.unlimited("leader", -1, Time.SYSTEM);
  private volatile ReplicationQuota followerQuota =
      ReplicationQuota.unlimited("follower", -1, Time.SYSTEM);

  /**
   * The replication quotas of this broker (see {@link ReplicationQuota}); the follower one is
   * handed to the follower fetching. Call before the first LeaderAndIsr.
   */
  public void setReplicationQuotas(ReplicationQuota leader, ReplicationQuota follower) {
    this.leaderQuota = leader;
    this.followerQuota = follower;
    followerFetching.setQuota(follower);
    topicOverrides.forEach(this::updateThrottles);
  }

  public ReplicationQuota leaderQuota() {
    return leaderQuota;
  }

  public ReplicationQuota followerQuota() {
    return followerQuota;
  }

  /** The broker properties used for topic defaults now (static overlaid with dynamic ones). */
  public Map<String, String> brokerProps() {
    return brokerProps;
  }

  private void rememberTopicConfigs(String topic, Map<String, String> overrides) {
    topicOverrides.put(topic, Map.copyOf(overrides));
    updateThrottles(topic, overrides);
  }

  private void updateThrottles(String topic, Map<String, String> overrides) {
    try {
      leaderQuota.updateTopic(
          topic,
          io.brook.metadata.config.ThrottledReplicas.parse(
              overrides.get(TopicConfigs.LEADER_REPLICATION_THROTTLED_REPLICAS)));
      followerQuota.updateTopic(
          topic,
          io.brook.metadata.config.ThrottledReplicas.parse(
              overrides.get(TopicConfigs.FOLLOWER_REPLICATION_THROTTLED_REPLICAS)));
    } catch (IllegalArgumentException e) {
      log.error("Topic {} has an invalid replication throttle: {}", topic, e.getMessage());
    }
  }

  /**
   * Applies topic overrides from an UpdateMetadata to the replicas of those topics hosted here
   * (retention, segment size, max.message.bytes, min.insync.replicas, cleanup policy, throttled
   * replicas...), without a restart. Topics without a replica here are remembered for throttles
   * only.
   */
  public void applyTopicConfigs(Map<String, Map<String, String>> overridesByTopic) {
    synchronized (configLock) {
      overridesByTopic.forEach(
          (topic, overrides) -> {
            Map<String, String> before = topicOverrides.get(topic);
            if (overrides.equals(before)) {
              return;
            }
            rememberTopicConfigs(topic, overrides);
            if (before != null) {
              log.info("Broker {}: config of topic {} is now {}", brokerId, topic, overrides);
            }
            reapply(topic, overrides);
          });
    }
  }

  /** {@link #applyTopicConfigs(Map)} with the topics of an UpdateMetadata. */
  public void applyTopicConfigs(io.brook.protocol.v1.UpdateMetadataRequest req) {
    Map<String, Map<String, String>> m = new LinkedHashMap<>();
    req.getTopicsList().forEach(t -> m.put(t.getTopic(), t.getConfigsMap()));
    applyTopicConfigs(m);
  }

  /**
   * New broker-level properties (static overlaid with the dynamic broker configs): the topic
   * defaults they carry are re-applied to every hosted log without an override of its own.
   */
  public void updateBrokerProps(Map<String, String> props) {
    synchronized (configLock) {
      Map<String, String> next = Map.copyOf(props);
      if (next.equals(brokerProps)) {
        return;
      }
      try {
        TopicConfigs.effective(next, Map.of());
      } catch (IllegalArgumentException e) {
        log.error("Broker {}: dynamic broker config refused: {}", brokerId, e.getMessage());
        return;
      }
      brokerProps = next;
      java.util.Set<String> topics = new java.util.TreeSet<>();
      partitions.keySet().forEach(tp -> topics.add(tp.topic()));
      for (String topic : topics) {
        reapply(topic, topicOverrides.getOrDefault(topic, Map.of()));
      }
    }
  }

  private void reapply(String topic, Map<String, String> overrides) {
    Map<String, String> effective;
    try {
      effective = TopicConfigs.effective(brokerProps, overrides);
    } catch (IllegalArgumentException e) {
      log.error("Broker {}: config of topic {} not applied: {}", brokerId, topic, e.getMessage());
      return;
    }
    LogConfig config = LogConfig.fromMap(effective);
    int minIsr = Integer.parseInt(effective.getOrDefault("min.insync.replicas", "1"));
    for (Partition p : partitions.values()) {
      if (!p.topicPartition().topic().equals(topic)) {
        continue;
      }
      if (!p.log().config().equals(config)) {
        p.log().updateConfig(config);
        log.info(
            "Broker {}: applied config to {}: retention.ms={}, max.message.bytes={}, segment.bytes={}",
            brokerId,
            p.topicPartition(),
            effective.get(TopicConfigs.RETENTION_MS),
            effective.get(TopicConfigs.MAX_MESSAGE_BYTES),
            effective.get(TopicConfigs.SEGMENT_BYTES));
      }
      if (p.minInsyncReplicas() != minIsr) {
        p.setMinInsyncReplicas(minIsr);
        completeWaiters(p.topicPartition());
      }
    }
  }
}
