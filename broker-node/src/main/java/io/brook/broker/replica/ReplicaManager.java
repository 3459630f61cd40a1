package io.brook.broker.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.brook.broker.log.FetchDataInfo;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.broker.log.LogManager;
import io.brook.broker.log.RecordTooLargeException;
import io.brook.common.Scheduler;
import io.brook.common.Topic;
import io.brook.common.TopicPartition;
import io.brook.metadata.config.TopicConfigs;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchPartition;
import io.brook.protocol.v1.FetchPartitionResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FetchTopic;
import io.brook.protocol.v1.FetchTopicResponse;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.PartitionError;
import io.brook.protocol.v1.PartitionProduceData;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.StopReplicaPartition;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.TopicProduceData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.logging.log4j.Logger;

/**
 * The partitions this broker holds, and the produce and fetch paths over them.
 *
 * <p>Applies the controller's LeaderAndIsr (creating or opening logs, becoming leader or follower
 * with the given leader epoch; older epochs are ignored) and StopReplica (stop serving, and delete
 * the log for topic deletion). Appends producer batches as opaque bytes (the log validates, stamps
 * and appends them), answers {@code acks=all} once the high watermark passes the batch through the
 * produce purgatory, and serves long-poll fetches through the fetch purgatory. Records are never
 * decoded here.
 *
 * <p>Thread rules: every public method may be called from any thread. LeaderAndIsr and StopReplica
 * are serialized by the caller (the control-request handler). The partition map is concurrent; each
 * {@link Partition} serializes its own appends and state changes.
 */
public final class ReplicaManager implements AutoCloseable {
  private static final Logger log =
      org.apache.logging.log4j.LogManager.getLogger(ReplicaManager.class);

  static final int DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
  static final int DEFAULT_PARTITION_FETCH_MAX_BYTES = 1024 * 1024;

  private final int brokerId;
  private final LogManager logManager;
  private final Map<String, String> brokerProps;
  private final Predicate<TopicPartition> knownToCluster;
  private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
  private final DelayedOperationPurgatory<TopicPartition> producePurgatory;
  private final DelayedOperationPurgatory<TopicPartition> fetchPurgatory;

  /**
   * @param brokerProps the broker's configuration, for the broker-level defaults of topic configs
   * @param knownToCluster whether the cluster metadata knows a partition (to answer
   *     NOT_LEADER_OR_FOLLOWER rather than UNKNOWN_TOPIC_OR_PARTITION for partitions held
   *     elsewhere)
   */
  public ReplicaManager(
      int brokerId,
      LogManager logManager,
      Map<String, String> brokerProps,
      Predicate<TopicPartition> knownToCluster,
      Scheduler scheduler) {
    this.brokerId = brokerId;
    this.logManager = logManager;
    this.brokerProps = Map.copyOf(brokerProps);
    this.knownToCluster = knownToCluster;
    this.producePurgatory = new DelayedOperationPurgatory<>("produce", scheduler);
    this.fetchPurgatory = new DelayedOperationPurgatory<>("fetch", scheduler);
  }

  public Optional<Partition> partition(TopicPartition tp) {
    return Optional.ofNullable(partitions.get(tp));
  }

  public Collection<Partition> partitions() {
    return partitions.values();
  }

  // ------------------------------------------------------------------ controller requests

  /** Applies a LeaderAndIsr request (epochs already checked); returns per-partition errors. */
  public List<PartitionError> applyLeaderAndIsr(LeaderAndIsrRequest req) {
    List<PartitionError> errors = new ArrayList<>();
    for (LeaderAndIsrTopic t : req.getTopicsList()) {
      Map<String, String> effective = TopicConfigs.effective(brokerProps, t.getConfigsMap());
      for (PartitionState ps : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getTopic(), ps.getPartition());
        ErrorCode code = ErrorCode.NONE;
        String message = "";
        try {
          Partition p = getOrCreatePartition(tp, UUID.fromString(t.getTopicId()), effective);
          boolean applied =
              p.applyState(
                  ps.getLeader(),
                  ps.getLeaderEpoch(),
                  ps.getPartitionEpoch(),
                  ps.getIsrList(),
                  ps.getReplicasList());
          if (!applied && ps.getLeaderEpoch() < p.leaderEpoch()) {
            code = ErrorCode.FENCED_LEADER_EPOCH;
            message =
                "Leader epoch "
                    + ps.getLeaderEpoch()
                    + " for "
                    + tp
                    + " is older than the current "
                    + p.leaderEpoch()
                    + "; ignored";
            log.warn(message);
          }
          // Waiters on this partition may now fail (leadership moved) or succeed (ISR shrank).
          producePurgatory.checkAndComplete(tp);
          fetchPurgatory.checkAndComplete(tp);
        } catch (RuntimeException e) {
          code = ErrorMapper.code(e);
          message = ErrorMapper.message(e);
          log.error("Could not apply LeaderAndIsr for {}: {}", tp, message, e);
        }
        if (code != ErrorCode.NONE) {
          errors.add(
              PartitionError.newBuilder()
                  .setTopic(tp.topic())
                  .setPartition(tp.partition())
                  .setError(code)
                  .setErrorMessage(message)
                  .build());
        }
      }
    }
    return errors;
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
      existing.stop();
      partitions.remove(tp, existing);
      completeWaiters(tp);
    }
    Log partitionLog = logManager.getOrCreateLog(tp, topicId, config);
    Partition p = new Partition(tp, brokerId, partitionLog, minIsr);
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
        if (p != null) {
          p.stop();
          partitions.remove(tp, p);
          completeWaiters(tp);
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
  }

  // ------------------------------------------------------------------ produce

  /**
   * Appends the batches of a produce request. With acks 0 or 1 the future is complete when this
   * method returns; with acks=-1 it completes once every partition's high watermark passed its
   * batches, or at timeout_ms. Partitions are appended in request order on the calling thread, so a
   * caller that calls this in stream order keeps the stream's order.
   */
  public CompletableFuture<ProduceResponse> appendRecords(ProduceRequest req) {
    int acks = req.getAcks();
    if (acks != -1 && acks != 0 && acks != 1) {
      return CompletableFuture.completedFuture(
          ProduceResponse.newBuilder()
              .setRequestId(req.getRequestId())
              .setError(ErrorCode.INVALID_REQUIRED_ACKS)
              .setErrorMessage("acks must be -1 (all), 0 or 1, not " + acks)
              .build());
    }
    List<DelayedProduce.PartitionStatus> statuses = new ArrayList<>();
    boolean anyPending = false;
    for (TopicProduceData t : req.getTopicsList()) {
      for (PartitionProduceData pd : t.getPartitionsList()) {
        DelayedProduce.PartitionStatus s = appendToPartition(t.getTopic(), pd, acks);
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
      String topic, PartitionProduceData pd, int acks) {
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
      Partition p = partitions.get(tp);
      if (p == null) {
        throw notHere(tp);
      }
      ByteString bytes = pd.getRecords();
      if (bytes.isEmpty()) {
        throw new ApiException(ErrorCode.CORRUPT_MESSAGE, "No record batch for " + tp);
      }
      // The log stamps base offset and leader epoch into the batch header, so it gets a buffer of
      // its own: one copy out of the request.
      ByteBuffer records = ByteBuffer.allocate(bytes.size());
      bytes.copyTo(records);
      records.flip();
      Partition.AppendResult result = p.appendAsLeader(records, acks);
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
    FetchRead first = read(req);
    int minBytes = Math.max(1, req.getMinBytes());
    if (req.getMaxWaitMs() <= 0 || first.bytes >= minBytes || first.error || first.empty) {
      return CompletableFuture.completedFuture(first.response);
    }
    List<DelayedFetch.Watched> watched = new ArrayList<>();
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
    DelayedFetch op =
        new DelayedFetch(
            req.getMaxWaitMs(),
            minBytes,
            first.bytes,
            watched,
            partitions::get,
            () -> read(req).response);
    fetchPurgatory.tryCompleteElseWatch(op, op.keys());
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
    producePurgatory.close();
    fetchPurgatory.close();
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
}
