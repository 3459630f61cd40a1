package io.brook.broker.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one server stream in the gRPC adapter tests: collects the responses and how
 * the stream ended ({@link #ended}: null when completed normally, else the error).
 */
class StreamClient<RespT> implements StreamObserver<RespT> {
  final LinkedBlockingQueue<RespT> responses = new LinkedBlockingQueue<>();
  final CompletableFuture<Throwable> ended = new CompletableFuture<>();

  @Override
  public void onNext(RespT r) {
    responses.add(r);
  }

  @Override
  public void onError(Throwable t) {
    ended.complete(t);
  }

  @Override
  public void onCompleted() {
    ended.complete(null);
  }

  /** The next response; fails after 30 s without one. */
  RespT next() throws InterruptedException {
    RespT r = responses.poll(30, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no response within 30 s");
    }
    return r;
  }

  /** The status the stream ended with; fails when it completed normally. */
  Status endStatus() throws Exception {
    Throwable t = ended.get(30, TimeUnit.SECONDS);
    if (t == null) {
      throw new AssertionError("the stream completed normally; expected an error status");
    }
    return Status.fromThrowable(t);
  }
}
