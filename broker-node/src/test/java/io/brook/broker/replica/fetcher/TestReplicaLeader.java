package io.brook.broker.replica.fetcher;

import com.google.protobuf.UnsafeByteOperations;
import io.brook.broker.log.FetchDataInfo;
import io.brook.broker.log.Log;
import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.log.OffsetOutOfRangeException;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.EpochEndOffset;
import io.brook.protocol.v1.EpochQuery;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.ReplicaFetchData;
import io.brook.protocol.v1.ReplicaFetchPosition;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal leader for fetcher tests: serves real {@link Log}s with Kafka's leader-side rules
 * (epoch fencing, diverging epochs, out of range), a crude long poll, and hooks to kill streams.
 * Its HW is the leader's log end offset. Thread-safe.
 */
final class TestReplicaLeader extends ReplicaServiceGrpc.ReplicaServiceImplBase {
  record Led(Log log, int leaderEpoch) {}

  final Map<TopicPartition, Led> partitions = new ConcurrentHashMap<>();

  /** A log start offset to report instead of the log's (one inside a batch, say). */
  final Map<TopicPartition, Long> logStartOverride = new ConcurrentHashMap<>();

  final AtomicInteger streamsOpened = new AtomicInteger();
  final AtomicInteger fetchRequests = new AtomicInteger();
  final AtomicInteger epochRequests = new AtomicInteger();
  private final Set<ServerCallStreamObserver<ReplicaFetchResponse>> open =
      ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  void lead(TopicPartition tp, Log log, int epoch) {
    partitions.put(tp, new Led(log, epoch));
  }

  /** Fails every open Replicate stream (the follower must reconnect). */
  void killStreams() {
    for (ServerCallStreamObserver<ReplicaFetchResponse> o : open) {
      open.remove(o);
      try {
        o.onError(Status.UNAVAILABLE.withDescription("killed by the test").asRuntimeException());
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
  }

  void shutdown() {
    timer.shutdownNow();
  }

  @Override
  public StreamObserver<ReplicaFetchRequest> replicate(
      StreamObserver<ReplicaFetchResponse> responses) {
    ServerCallStreamObserver<ReplicaFetchResponse> out =
        (ServerCallStreamObserver<ReplicaFetchResponse>) responses;
    streamsOpened.incrementAndGet();
    open.add(out);
    return new StreamObserver<>() {
      @Override
      public void onNext(ReplicaFetchRequest req) {
        fetchRequests.incrementAndGet();
        answer(out, req, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(req.getMaxWaitMs()));
      }

      @Override
      public void onError(Throwable t) {
        open.remove(out);
      }

      @Override
      public void onCompleted() {
        open.remove(out);
        out.onCompleted();
      }
    };
  }

  private void answer(
      ServerCallStreamObserver<ReplicaFetchResponse> out, ReplicaFetchRequest req, long deadline) {
    if (!open.contains(out)) {
      return;
    }
    ReplicaFetchResponse.Builder resp =
        ReplicaFetchResponse.newBuilder().setRequestId(req.getRequestId());
    boolean any = false;
    for (ReplicaFetchPosition pos : req.getPositionsList()) {
      ReplicaFetchData d = read(pos);
      any |= d.getError() != ErrorCode.NONE || !d.getRecords().isEmpty() || d.hasDivergingEpoch();
      resp.addPartitions(d);
    }
    if (!any && System.nanoTime() < deadline) {
      timer.schedule(() -> answer(out, req, deadline), 10, TimeUnit.MILLISECONDS);
      return;
    }
    synchronized (out) {
      if (open.contains(out)) {
        try {
          out.onNext(resp.build());
        } catch (RuntimeException ignored) {
          // cancelled meanwhile
        }
      }
    }
  }

  private ReplicaFetchData read(ReplicaFetchPosition pos) {
    TopicPartition tp = new TopicPartition(pos.getTopic(), pos.getPartition());
    ReplicaFetchData.Builder d =
        ReplicaFetchData.newBuilder().setTopic(tp.topic()).setPartition(tp.partition());
    Led led = partitions.get(tp);
    if (led == null) {
      return d.setError(ErrorCode.NOT_LEADER_OR_FOLLOWER).build();
    }
    ErrorCode fenced = fence(pos.getCurrentLeaderEpoch(), led.leaderEpoch);
    if (fenced != ErrorCode.NONE) {
      return d.setError(fenced).build();
    }
    Log log = led.log;
    long logStart = logStartOverride.getOrDefault(tp, log.logStartOffset());
    d.setHighWatermark(log.logEndOffset()).setLogStartOffset(logStart);
    if (pos.getFetchOffset() < logStart) {
      return d.setError(ErrorCode.OFFSET_OUT_OF_RANGE).build();
    }
    if (pos.getLastFetchedEpoch() >= 0) {
      OffsetAndEpoch end = log.endOffsetForEpoch(pos.getLastFetchedEpoch());
      if (end.epoch() < pos.getLastFetchedEpoch() || end.offset() < pos.getFetchOffset()) {
        return d.setDivergingEpoch(
                EpochEndOffset.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setLeaderEpoch(end.epoch())
                    .setEndOffset(end.offset()))
            .build();
      }
    }
    try {
      FetchDataInfo data =
          log.read(pos.getFetchOffset(), pos.getPartitionMaxBytes(), Long.MAX_VALUE, true);
      return d.setRecords(UnsafeByteOperations.unsafeWrap(data.records())).build();
    } catch (OffsetOutOfRangeException e) {
      return d.setError(ErrorCode.OFFSET_OUT_OF_RANGE).setErrorMessage(e.getMessage()).build();
    }
  }

  private static ErrorCode fence(int followerEpoch, int leaderEpoch) {
    if (followerEpoch < leaderEpoch) {
      return ErrorCode.FENCED_LEADER_EPOCH;
    }
    if (followerEpoch > leaderEpoch) {
      return ErrorCode.UNKNOWN_LEADER_EPOCH;
    }
    return ErrorCode.NONE;
  }

  @Override
  public void offsetForLeaderEpoch(
      OffsetForLeaderEpochRequest req, StreamObserver<OffsetForLeaderEpochResponse> out) {
    epochRequests.incrementAndGet();
    OffsetForLeaderEpochResponse.Builder resp = OffsetForLeaderEpochResponse.newBuilder();
    for (EpochQuery q : req.getPartitionsList()) {
      TopicPartition tp = new TopicPartition(q.getTopic(), q.getPartition());
      EpochEndOffset.Builder e =
          EpochEndOffset.newBuilder()
              .setTopic(tp.topic())
              .setPartition(tp.partition())
              .setLeaderEpoch(-1)
              .setEndOffset(-1);
      Led led = partitions.get(tp);
      if (led == null) {
        e.setError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      } else {
        ErrorCode fenced = fence(q.getCurrentLeaderEpoch(), led.leaderEpoch);
        if (fenced != ErrorCode.NONE) {
          e.setError(fenced);
        } else {
          OffsetAndEpoch end = led.log.endOffsetForEpoch(q.getLeaderEpoch());
          e.setLeaderEpoch(end.epoch()).setEndOffset(end.offset());
        }
      }
      resp.addPartitions(e);
    }
    out.onNext(resp.build());
    out.onCompleted();
  }
}
