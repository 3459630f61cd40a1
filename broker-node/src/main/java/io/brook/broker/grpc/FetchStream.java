package io.brook.broker.grpc;

import io.brook.broker.server.BrokerApi;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.grpc.stub.ServerCallStreamObserver;
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
final class FetchStream extends AnsweringStream<FetchRequest, FetchResponse> {
  private final BrokerApi api;

  // @GuardedBy("lock"): the next request may be asked for once the client reads again
  private boolean creditDeferred;

  FetchStream(BrokerApi api, ServerCallStreamObserver<FetchResponse> out, OpenStreams openStreams) {
    super(out, openStreams);
    this.api = api;
    out.setOnReadyHandler(this::onReady);
    out.request(1);
    register();
  }

  @Override
  public void onNext(FetchRequest req) {
    synchronized (lock) {
      if (!taking()) {
        return; // not served: the stream is ending, the client fetches again elsewhere
      }
      inFlight++;
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
      inFlight--;
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
      if (wantsMoreLocked()) {
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
      if (taking() && creditDeferred) {
        creditDeferred = false;
        out.request(1);
      }
    }
  }
}
