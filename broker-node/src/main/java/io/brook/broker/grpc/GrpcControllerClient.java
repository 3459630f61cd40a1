package io.brook.broker.grpc;

import io.brook.broker.server.ControllerClient;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.BrokerEndpoint;
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
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link ControllerClient} over ControllerService: one channel per controller endpoint, kept while
 * the broker runs; every call has a deadline. Calls are made in the root gRPC context: a call made
 * while serving another RPC (InitProducerId prefetching producer ids, a fetch proposing an ISR
 * change) must not be cancelled when that RPC completes. Thread-safe.
 */
public final class GrpcControllerClient implements ControllerClient {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private ControllerServiceGrpc.ControllerServiceStub stub(BrokerEndpoint ep, long timeoutMs) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    ManagedChannel ch =
        channels.computeIfAbsent(
            ep.getHost() + ":" + ep.getPort(),
            k ->
                ManagedChannelBuilder.forAddress(ep.getHost(), ep.getPort())
                    .usePlaintext()
                    .build());
    return ControllerServiceGrpc.newStub(ch).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<CreateTopicsResponse> createTopics(
      BrokerEndpoint controller, CreateTopicsRequest request, long timeoutMs) {
    CompletableFuture<CreateTopicsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(() -> stub(controller, timeoutMs).createTopics(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<DeleteTopicsResponse> deleteTopics(
      BrokerEndpoint controller, DeleteTopicsRequest request, long timeoutMs) {
    CompletableFuture<DeleteTopicsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(() -> stub(controller, timeoutMs).deleteTopics(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<CreatePartitionsResponse> createPartitions(
      BrokerEndpoint controller, CreatePartitionsRequest request, long timeoutMs) {
    CompletableFuture<CreatePartitionsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(() -> stub(controller, timeoutMs).createPartitions(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<AlterPartitionResponse> alterPartition(
      BrokerEndpoint controller, AlterPartitionRequest request, long timeoutMs) {
    CompletableFuture<AlterPartitionResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(() -> stub(controller, timeoutMs).alterPartition(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
      BrokerEndpoint controller, AllocateProducerIdsRequest request, long timeoutMs) {
    CompletableFuture<AllocateProducerIdsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(
          () -> stub(controller, timeoutMs).allocateProducerIds(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<ControlledShutdownResponse> controlledShutdown(
      BrokerEndpoint controller, ControlledShutdownRequest request, long timeoutMs) {
    CompletableFuture<ControlledShutdownResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(
          () -> stub(controller, timeoutMs).controlledShutdown(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
      BrokerEndpoint controller, IncrementalAlterConfigsRequest request, long timeoutMs) {
    CompletableFuture<IncrementalAlterConfigsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(
          () -> stub(controller, timeoutMs).incrementalAlterConfigs(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
      BrokerEndpoint controller, AlterPartitionReassignmentsRequest request, long timeoutMs) {
    CompletableFuture<AlterPartitionReassignmentsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(
          () -> stub(controller, timeoutMs).alterPartitionReassignments(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
      BrokerEndpoint controller, ListPartitionReassignmentsRequest request, long timeoutMs) {
    CompletableFuture<ListPartitionReassignmentsResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(
          () -> stub(controller, timeoutMs).listPartitionReassignments(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  @Override
  public CompletableFuture<ElectLeadersResponse> electLeaders(
      BrokerEndpoint controller, ElectLeadersRequest request, long timeoutMs) {
    CompletableFuture<ElectLeadersResponse> f = new CompletableFuture<>();
    try {
      Context.ROOT.run(() -> stub(controller, timeoutMs).electLeaders(request, completing(f)));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  private static <T> StreamObserver<T> completing(CompletableFuture<T> f) {
    return new StreamObserver<>() {
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
    };
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
