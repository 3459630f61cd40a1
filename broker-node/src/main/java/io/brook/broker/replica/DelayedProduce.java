package io.brook.broker.replica;

import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.TopicProduceResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An {@code acks=all} produce waiting until the high watermark of every partition it appended to
 * passes its batches, or its timeout ({@code REQUEST_TIMED_OUT} for the partitions still waiting).
 *
 * <p>Thread rules: {@link #tryComplete()} may be called from several threads at once; the
 * per-partition statuses are guarded by this object's monitor. The answer is built once, in {@link
 * #onComplete()}.
 */
final class DelayedProduce extends DelayedOperation {

  /** One partition of the request: its answer so far, and the offset the HW must reach. */
  static final class PartitionStatus {
    final TopicPartition tp;
    final PartitionProduceResponse.Builder response;
    final long requiredOffset;
    boolean pending;

    PartitionStatus(
        TopicPartition tp,
        PartitionProduceResponse.Builder response,
        long requiredOffset,
        boolean pending) {
      this.tp = tp;
      this.response = response;
      this.requiredOffset = requiredOffset;
      this.pending = pending;
    }
  }

  private final long requestId;
  private final List<PartitionStatus> statuses;
  private final Function<TopicPartition, Partition> partitions;
  private final CompletableFuture<ProduceResponse> future = new CompletableFuture<>();

  DelayedProduce(
      long requestId,
      long timeoutMs,
      List<PartitionStatus> statuses,
      Function<TopicPartition, Partition> partitions) {
    super(timeoutMs);
    this.requestId = requestId;
    this.statuses = statuses;
    this.partitions = partitions;
  }

  CompletableFuture<ProduceResponse> future() {
    return future;
  }

  List<TopicPartition> pendingPartitions() {
    return statuses.stream().filter(s -> s.pending).map(s -> s.tp).toList();
  }

  @Override
  protected boolean tryComplete() {
    synchronized (this) {
      boolean anyPending = false;
      for (PartitionStatus s : statuses) {
        if (!s.pending) {
          continue;
        }
        Partition p = partitions.apply(s.tp);
        if (p == null || !p.isLeader()) {
          s.pending = false;
          s.response
              .setError(ErrorCode.NOT_LEADER_OR_FOLLOWER)
              .setErrorMessage("Leadership of " + s.tp + " moved before the write was replicated");
        } else if (p.state().isr().size() < p.minInsyncReplicas()) {
          // The high watermark does not advance below min.insync.replicas: fail now.
          s.pending = false;
          s.response
              .setError(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND)
              .setErrorMessage(
                  "The ISR of "
                      + s.tp
                      + " "
                      + p.state().isr()
                      + " shrank below min.insync.replicas="
                      + p.minInsyncReplicas()
                      + " after the write was appended");
        } else if (p.highWatermark() >= s.requiredOffset) {
          s.pending = false;
        } else {
          anyPending = true;
        }
      }
      if (anyPending) {
        return false;
      }
    }
    return forceComplete();
  }

  @Override
  protected void onExpiration() {
    synchronized (this) {
      for (PartitionStatus s : statuses) {
        if (s.pending) {
          s.pending = false;
          s.response
              .setError(ErrorCode.REQUEST_TIMED_OUT)
              .setErrorMessage(
                  "The write to "
                      + s.tp
                      + " was appended but not replicated to the ISR within timeout_ms="
                      + timeoutMs());
        }
      }
    }
  }

  @Override
  protected void onComplete() {
    ProduceResponse response;
    synchronized (this) {
      for (PartitionStatus s : statuses) {
        if (s.pending) { // completed by shutdown
          s.pending = false;
          s.response
              .setError(ErrorCode.NOT_LEADER_OR_FOLLOWER)
              .setErrorMessage("The broker is shutting down");
        }
      }
      response = buildResponse(requestId, statuses);
    }
    future.complete(response);
  }

  static ProduceResponse buildResponse(long requestId, List<PartitionStatus> statuses) {
    Map<String, TopicProduceResponse.Builder> topics = new LinkedHashMap<>();
    for (PartitionStatus s : statuses) {
      topics
          .computeIfAbsent(s.tp.topic(), t -> TopicProduceResponse.newBuilder().setTopic(t))
          .addPartitions(s.response);
    }
    ProduceResponse.Builder b = ProduceResponse.newBuilder().setRequestId(requestId);
    topics.values().forEach(b::addTopics);
    return b.build();
  }
}
