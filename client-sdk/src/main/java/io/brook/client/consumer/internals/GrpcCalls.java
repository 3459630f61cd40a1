package io.brook.client.consumer.internals;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Adapts an asynchronous unary gRPC call to a {@link CompletableFuture}. Stateless. */
final class GrpcCalls {
  private GrpcCalls() {}

  /**
   * Starts the call and returns its future: completed with the response, or exceptionally with the
   * call's {@code StatusRuntimeException} (also when starting the call throws).
   */
  static <T> CompletableFuture<T> unary(Consumer<StreamObserver<T>> start) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      start.accept(
          new StreamObserver<>() {
            @Override
            public void onNext(T value) {
              f.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }
}
