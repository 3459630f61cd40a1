package io.brook.broker.grpc;

import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.ControllerServiceGrpc.ControllerServiceImplBase;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Calls the local controller's ControllerService adapter in process, for the operations calls
 * (IncrementalAlterConfigs, Alter/ListPartitionReassignments, ElectLeaders) that {@code Controller}
 * does not expose as Java methods yet: the adapter's method is invoked directly with an observer
 * that completes a future, so no channel or serialization is involved. A call the adapter does not
 * implement fails its future with UNIMPLEMENTED (the forwarder then retries until its timeout).
 *
 * <p>Temporary: once {@code Controller} has {@code incrementalAlterConfigs(...)} etc., {@code
 * LocalController.of} calls them directly and this class goes. Stateless and thread-safe.
 */
public final class InProcessControllerCalls {
  private final ControllerServiceImplBase service;

  /**
   * @param service the controller's {@code grpcService()} (a ControllerService implementation)
   */
  public InProcessControllerCalls(BindableService service) {
    if (!(service instanceof ControllerServiceImplBase impl)) {
      throw new IllegalArgumentException("not a ControllerService: " + service.getClass());
    }
    this.service = impl;
  }

  public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
      IncrementalAlterConfigsRequest r) {
    return call(o -> service.incrementalAlterConfigs(r, o));
  }

  public CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
      AlterPartitionReassignmentsRequest r) {
    return call(o -> service.alterPartitionReassignments(r, o));
  }

  public CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
      ListPartitionReassignmentsRequest r) {
    return call(o -> service.listPartitionReassignments(r, o));
  }

  public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest r) {
    return call(o -> service.electLeaders(r, o));
  }

  private static <T> CompletableFuture<T> call(Consumer<StreamObserver<T>> invoke) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      invoke.accept(
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
            public void onCompleted() {
              f.completeExceptionally(new IllegalStateException("no response"));
            }
          });
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }
}
