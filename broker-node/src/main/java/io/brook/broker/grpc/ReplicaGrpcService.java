package io.brook.broker.grpc;

import io.brook.broker.replica.ReplicaManager;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * ReplicaService over gRPC: the leader side of replication. Each Replicate stream carries one
 * follower's fetches from this broker, one request outstanding at a time: the next request is read
 * only after the answer to the previous one was handed to the transport, and an answer waits (in
 * memory, never in a blocked thread) while the stream is not ready ({@code isReady()} /
 * onReadyHandler), so a slow follower slows only its own stream.
 *
 * <p>Broker-epoch fencing: the highest broker epoch seen from each follower is remembered; a
 * request carrying an older one (a previous incarnation of that broker) ends its stream with
 * FAILED_PRECONDITION ("STALE_BROKER_EPOCH ..."). Thread-safe: the per-follower map is concurrent,
 * each stream's state is guarded by the stream object's monitor.
 *
 * <p>Shutdown: the open streams are tracked in {@link #openStreams()}; draining or ending one ends
 * it at once (UNAVAILABLE), dropping an answer not sent yet. That is safe because an answer to a
 * follower acknowledges nothing: the follower fetches the same offsets again from the new leader.
 */
public final class ReplicaGrpcService extends ReplicaServiceGrpc.ReplicaServiceImplBase {
  private static final Logger log = LogManager.getLogger(ReplicaGrpcService.class);

  private final ReplicaManager replicaManager;
  private final Map<Integer, Long> brokerEpochs = new ConcurrentHashMap<>();
  private final OpenStreams openStreams = new OpenStreams();

  public ReplicaGrpcService(ReplicaManager replicaManager) {
    this.replicaManager = replicaManager;
  }

  @Override
  public StreamObserver<ReplicaFetchRequest> replicate(StreamObserver<ReplicaFetchResponse> out) {
    return new ReplicateStream((ServerCallStreamObserver<ReplicaFetchResponse>) out);
  }

  @Override
  public void offsetForLeaderEpoch(
      OffsetForLeaderEpochRequest req, StreamObserver<OffsetForLeaderEpochResponse> out) {
    BrokerGrpcService.reply(
        () -> CompletableFuture.completedFuture(replicaManager.offsetForLeaderEpoch(req)), out);
  }

  /** The Replicate streams open now. */
  OpenStreams openStreams() {
    return openStreams;
  }

  /** Null when {@code brokerEpoch} is acceptable for {@code replicaId}; else why not. */
  private String staleEpoch(int replicaId, long brokerEpoch) {
    if (brokerEpoch < 0) {
      return null; // unknown (not registered yet): nothing to compare
    }
    long highest = brokerEpochs.merge(replicaId, brokerEpoch, Math::max);
    if (brokerEpoch < highest) {
      return "STALE_BROKER_EPOCH: broker "
          + replicaId
          + " fetches with broker epoch "
          + brokerEpoch
          + " but a newer registration (epoch "
          + highest
          + ") already fetched here";
    }
    return null;
  }

  /** One follower's stream: request, answer, request, ... */
  private final class ReplicateStream
      implements StreamObserver<ReplicaFetchRequest>, OpenStreams.Stream {
    private final ServerCallStreamObserver<ReplicaFetchResponse> out;

    // @GuardedBy("this")
    private ReplicaFetchResponse ready;
    // @GuardedBy("this")
    private boolean done;

    ReplicateStream(ServerCallStreamObserver<ReplicaFetchResponse> out) {
      this.out = out;
      out.disableAutoRequest();
      out.setOnCancelHandler(
          () -> {
            synchronized (this) {
              markDone();
            }
          });
      out.setOnReadyHandler(this::flush);
      out.request(1);
      openStreams.add(this);
    }

    @Override
    public void drain(StatusRuntimeException status) {
      fail(status);
    }

    @Override
    public void end(StatusRuntimeException status) {
      fail(status);
    }

    // @GuardedBy("this")
    private void markDone() {
      done = true;
      ready = null;
      openStreams.remove(this);
    }

    @Override
    public void onNext(ReplicaFetchRequest req) {
      String stale = staleEpoch(req.getReplicaId(), req.getBrokerEpoch());
      if (stale != null) {
        log.warn(stale);
        fail(Status.FAILED_PRECONDITION.withDescription(stale).asRuntimeException());
        return;
      }
      CompletableFuture<ReplicaFetchResponse> f;
      try {
        f = replicaManager.fetchForFollower(req);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete(
          (r, e) -> {
            if (e != null) {
              fail(GrpcStatuses.toStatus(e));
              return;
            }
            synchronized (this) {
              if (done) {
                return;
              }
              ready = r;
            }
            flush();
          });
    }

    private synchronized void flush() {
      if (done || ready == null || !out.isReady()) {
        return;
      }
      ReplicaFetchResponse r = ready;
      ready = null;
      try {
        out.onNext(r);
        out.request(1);
      } catch (RuntimeException e) {
        markDone(); // cancelled meanwhile
      }
    }

    private synchronized void fail(StatusRuntimeException status) {
      if (done) {
        return;
      }
      markDone();
      try {
        out.onError(status);
      } catch (RuntimeException e) {
        // already cancelled
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        markDone();
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (done) {
        return;
      }
      markDone();
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // already cancelled
      }
    }
  }
}
