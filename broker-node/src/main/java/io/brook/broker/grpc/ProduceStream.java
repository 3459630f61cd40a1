package io.brook.broker.grpc;

import io.brook.broker.replica.ErrorMapper;
import io.brook.broker.server.BrokerApi;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * One client's Produce stream. Requests are appended in the order they arrive (gRPC delivers a
 * call's messages one at a time, and {@link BrokerApi#produce} appends before it returns); answers
 * go back as they complete, each with its request id (acks=0 gets none).
 *
 * <p>Flow control: automatic inbound flow control is off; the stream asks the transport for {@code
 * window} requests at first and for one more each time a request is answered, and only while the
 * client reads its answers ({@code isReady()}); otherwise the credit waits for the onReady handler.
 * So at most {@code window} requests per stream are in the broker at once.
 *
 * <p>Thread rules: {@link #onNext} runs on gRPC's serialized call executor; completions run on
 * whatever thread completes the future (an append, a high-watermark move, a timer). Everything that
 * touches the outbound observer holds {@code lock}, since it is not thread-safe.
 */
final class ProduceStream implements StreamObserver<ProduceRequest> {
  private final BrokerApi api;
  private final ServerCallStreamObserver<ProduceResponse> out;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private int inFlight;
  // @GuardedBy("lock")
  private int deferredCredits;
  // @GuardedBy("lock")
  private boolean halfClosed;
  // @GuardedBy("lock")
  private boolean done;

  ProduceStream(BrokerApi api, ServerCallStreamObserver<ProduceResponse> out, int window) {
    this.api = api;
    this.out = out;
    out.disableAutoRequest();
    out.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            done = true;
          }
        });
    out.setOnReadyHandler(this::onReady);
    out.request(window);
  }

  @Override
  public void onNext(ProduceRequest req) {
    synchronized (lock) {
      inFlight++;
    }
    CompletableFuture<ProduceResponse> f;
    try {
      f = api.produce(req);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((r, e) -> finish(req, r, e));
  }

  private void finish(ProduceRequest req, ProduceResponse r, Throwable e) {
    ProduceResponse resp = r;
    if (e != null) {
      resp =
          ProduceResponse.newBuilder()
              .setRequestId(req.getRequestId())
              .setError(ErrorMapper.code(e))
              .setErrorMessage(ErrorMapper.message(e))
              .build();
    }
    synchronized (lock) {
      inFlight--;
      if (done) {
        return;
      }
      if (req.getAcks() != 0) {
        out.onNext(resp);
      }
      if (out.isReady()) {
        out.request(1);
      } else {
        deferredCredits++;
      }
      if (halfClosed && inFlight == 0) {
        done = true;
        out.onCompleted();
      }
    }
  }

  private void onReady() {
    synchronized (lock) {
      if (!done && deferredCredits > 0) {
        out.request(deferredCredits);
        deferredCredits = 0;
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    synchronized (lock) {
      done = true; // the client went away; answers in flight are dropped
    }
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      if (!done && inFlight == 0) {
        done = true;
        out.onCompleted();
      }
    }
  }
}
