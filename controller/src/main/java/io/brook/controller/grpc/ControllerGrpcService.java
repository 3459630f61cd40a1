package io.brook.controller.grpc;

import io.brook.controller.Controller;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.ControlledShutdownRequest;
import io.brook.protocol.v1.ControlledShutdownResponse;
import io.brook.protocol.v1.ControllerServiceGrpc;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The ControllerService gRPC adapter: each call hands the request to the {@link Controller} and
 * sends back its answer. Domain errors travel in the response; only unexpected failures become a
 * gRPC status, through {@link StatusMapper}. Stateless and thread-safe.
 */
public final class ControllerGrpcService extends ControllerServiceGrpc.ControllerServiceImplBase {
  private final Controller controller;

  public ControllerGrpcService(Controller controller) {
    this.controller = controller;
  }

  @Override
  public void createTopics(
      CreateTopicsRequest request, StreamObserver<CreateTopicsResponse> responses) {
    reply(() -> controller.createTopics(request), responses);
  }

  @Override
  public void deleteTopics(
      DeleteTopicsRequest request, StreamObserver<DeleteTopicsResponse> responses) {
    reply(() -> controller.deleteTopics(request), responses);
  }

  @Override
  public void createPartitions(
      CreatePartitionsRequest request, StreamObserver<CreatePartitionsResponse> responses) {
    reply(() -> controller.createPartitions(request), responses);
  }

  @Override
  public void controlledShutdown(
      ControlledShutdownRequest request, StreamObserver<ControlledShutdownResponse> responses) {
    reply(() -> controller.controlledShutdown(request), responses);
  }

  @Override
  public void alterPartition(
      AlterPartitionRequest request, StreamObserver<AlterPartitionResponse> responses) {
    reply(() -> controller.alterPartition(request), responses);
  }

  @Override
  public void allocateProducerIds(
      AllocateProducerIdsRequest request, StreamObserver<AllocateProducerIdsResponse> responses) {
    reply(() -> controller.allocateProducerIds(request), responses);
  }

  @Override
  public void electLeaders(
      ElectLeadersRequest request, StreamObserver<ElectLeadersResponse> responses) {
    reply(() -> controller.electLeaders(request), responses);
  }

  @Override
  public void alterPartitionReassignments(
      io.brook.protocol.v1.AlterPartitionReassignmentsRequest request,
      StreamObserver<io.brook.protocol.v1.AlterPartitionReassignmentsResponse> responses) {
    reply(() -> controller.alterPartitionReassignments(request), responses);
  }

  @Override
  public void listPartitionReassignments(
      io.brook.protocol.v1.ListPartitionReassignmentsRequest request,
      StreamObserver<io.brook.protocol.v1.ListPartitionReassignmentsResponse> responses) {
    reply(() -> controller.listPartitionReassignments(request), responses);
  }

  @Override
  public void incrementalAlterConfigs(
      io.brook.protocol.v1.IncrementalAlterConfigsRequest request,
      StreamObserver<io.brook.protocol.v1.IncrementalAlterConfigsResponse> responses) {
    reply(() -> controller.incrementalAlterConfigs(request), responses);
  }

  private static <T> void reply(
      java.util.function.Supplier<CompletableFuture<T>> call, StreamObserver<T> responses) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      responses.onError(StatusMapper.toStatusException(e));
      return;
    }
    f.whenComplete(
        (r, e) -> {
          if (e != null) {
            responses.onError(StatusMapper.toStatusException(e));
          } else {
            responses.onNext(r);
            responses.onCompleted();
          }
        });
  }
}
