package io.brook.broker.server;

import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.ControlledShutdownRequest;
import io.brook.protocol.v1.ControlledShutdownResponse;
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
import java.util.concurrent.CompletableFuture;

/**
 * How this broker reaches the ControllerService of another broker (the active controller) to
 * forward admin calls. The future fails when the call could not be made (unreachable, deadline).
 * Implementations are thread-safe.
 */
public interface ControllerClient extends AutoCloseable {
  CompletableFuture<CreateTopicsResponse> createTopics(
      BrokerEndpoint controller, CreateTopicsRequest request, long timeoutMs);

  CompletableFuture<DeleteTopicsResponse> deleteTopics(
      BrokerEndpoint controller, DeleteTopicsRequest request, long timeoutMs);

  /** The default fails the call (a client that cannot forward CreatePartitions). */
  default CompletableFuture<CreatePartitionsResponse> createPartitions(
      BrokerEndpoint controller, CreatePartitionsRequest request, long timeoutMs) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("CreatePartitions is not supported by this client"));
  }

  CompletableFuture<AlterPartitionResponse> alterPartition(
      BrokerEndpoint controller, AlterPartitionRequest request, long timeoutMs);

  CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
      BrokerEndpoint controller, AllocateProducerIdsRequest request, long timeoutMs);

  CompletableFuture<ControlledShutdownResponse> controlledShutdown(
      BrokerEndpoint controller, ControlledShutdownRequest request, long timeoutMs);

  // The operations calls (configs, reassignments, elections). The defaults fail the call: a client
  // that cannot forward them (test doubles written before these calls existed).

  default CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
      BrokerEndpoint controller, IncrementalAlterConfigsRequest request, long timeoutMs) {
    return unsupported("IncrementalAlterConfigs");
  }

  default CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
      BrokerEndpoint controller, AlterPartitionReassignmentsRequest request, long timeoutMs) {
    return unsupported("AlterPartitionReassignments");
  }

  default CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
      BrokerEndpoint controller, ListPartitionReassignmentsRequest request, long timeoutMs) {
    return unsupported("ListPartitionReassignments");
  }

  default CompletableFuture<ElectLeadersResponse> electLeaders(
      BrokerEndpoint controller, ElectLeadersRequest request, long timeoutMs) {
    return unsupported("ElectLeaders");
  }

  private static <T> CompletableFuture<T> unsupported(String call) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(call + " is not supported by this client"));
  }

  @Override
  void close();
}
