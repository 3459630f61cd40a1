package io.brook.broker.grpc;

import io.brook.broker.server.BrokerApi;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * One consumer's FetchStream: each request is answered as the unary Fetch answers it (at once, or
 * as a long poll of up to {@code max_wait_ms}), with the request's {@code request_id}.
 *
 * <p>One request at a time, as Kafka mutes a connection while it handles one of its requests:
 * automatic inbound flow control is off, and the stream asks the transport for the next request
 * only once the previous one is answered and the client reads its answers ({@code isReady()};
 * otherwise the credit waits for the onReady handler). So answers go out in request order, and a
 * client that sends without reading makes no work pile up in the broker.
 *
 * <p>A request whose fetch fails (an internal error; Brook's domain errors travel in the answer)
 * ends the stream with the status the unary Fetch would end with. Shutdown ({@link OpenStreams}):
 * once drained, the stream takes no new request, answers the one it holds, then ends with the drain
 * status; {@link #end} ends it at once.
 *
 * <p>Thread rules: {@link #onNext} runs on gRPC's serialized call executor (the event loop, {@link
 * BrokerGrpcServer#INLINE_METHODS}); completions on whatever thread completes the fetch (the same
 * call, a produce that moved the high watermark, a timer); drain and end on the thread shutting the
 * broker down. Everything that touches the outbound observer holds {@code lock}.
 */
final class FetchStream implements StreamObserver<FetchRequest>, OpenStreams.Stream {
  private final BrokerApi api;
  private final ServerCallStreamObserver<FetchResponse> out;
  private final OpenStreams openStreams;
  private final Object lock = new Object();

  // @GuardedBy("lock"): a request was taken and is not answered yet
  private boolean pending;
  // @GuardedBy("lock"): the next request may be asked for once the client reads again
  private boolean creditDeferred;
  // @GuardedBy("lock")
  private boolean halfClosed;
  // @GuardedBy("lock"); non-null once drained: the status to end with
  private StatusRuntimeException drainStatus;
  // @GuardedBy("lock")
  private boolean done;

  FetchStream(BrokerApi api, ServerCallStreamObserver<FetchResponse> out, OpenStreams openStreams) {
    this.api = api;
    this.out = out;
    this.openStreams = openStreams;
    out.disableAutoRequest();
    out.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            markDoneLocked();
          }
        });
    out.setOnReadyHandler(this::onReady);
    out.request(1);
    openStreams.add(this);
  }

  @Override
  public void onNext(FetchRequest req) {
    synchronized (lock) {
      if (done || drainStatus != null) {
        return; // not served: the stream is ending, the client fetches again elsewhere
      }
      pending = true;
    }
    CompletableFuture<FetchResponse> f;
    try {
      f = api.fetch(req);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((r, e) -> finish(req, r, e));
  }

  private void finish(FetchRequest req, FetchResponse r, Throwable e) {
    synchronized (lock) {
      pending = false;
      if (done) {
        return;
      }
      if (e != null) {
        markDoneLocked();
        try {
          out.onError(GrpcStatuses.toStatus(e));
        } catch (RuntimeException ignored) {
          // cancelled meanwhile
        }
        return;
      }
      out.onNext(
          req.getRequestId() == 0 ? r : r.toBuilder().setRequestId(req.getRequestId()).build());
      if (drainStatus == null && !halfClosed) {
        if (out.isReady()) {
          out.request(1);
        } else {
          creditDeferred = true;
        }
      }
      endIfAnsweredLocked();
    }
  }

  private void onReady() {
    synchronized (lock) {
      if (!done && drainStatus == null && creditDeferred) {
        creditDeferred = false;
        out.request(1);
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    synchronized (lock) {
      markDoneLocked(); // the client went away; a pending answer is dropped
    }
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      endIfAnsweredLocked();
    }
  }

  @Override
  public void drain(StatusRuntimeException status) {
    synchronized (lock) {
      if (done || drainStatus != null) {
        return;
      }
      drainStatus = status;
      endIfAnsweredLocked();
    }
  }

  @Override
  public void end(StatusRuntimeException status) {
    synchronized (lock) {
      if (done) {
        return;
      }
      markDoneLocked();
      try {
        out.onError(status);
      } catch (RuntimeException e) {
        // cancelled meanwhile
      }
    }
  }

  /**
   * Ends the stream once no request is unanswered and no more will be taken: completed when the
   * client half-closed, else with the drain status.
   */
  private void endIfAnsweredLocked() {
    if (done || pending || (!halfClosed && drainStatus == null)) {
      return;
    }
    markDoneLocked();
    try {
      if (halfClosed) {
        out.onCompleted();
      } else {
        out.onError(drainStatus);
      }
    } catch (RuntimeException e) {
      // cancelled meanwhile
    }
  }

  private void markDoneLocked() {
    done = true;
    openStreams.remove(this);
  }
}
