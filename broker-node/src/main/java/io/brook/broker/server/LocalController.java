package io.brook.broker.server;

import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
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

/** The controller candidate running in this broker, as the admin forwarder sees it. */
public interface LocalController {
  boolean isActive();

  CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request);

  CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request);

  /** The default: not supported (a controller without CreatePartitions). */
  default CompletableFuture<CreatePartitionsResponse> createPartitions(
      CreatePartitionsRequest request) {
    throw new IllegalStateException("CreatePartitions is not supported here");
  }

  CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest request);

  CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
      AllocateProducerIdsRequest request);

  CompletableFuture<ControlledShutdownResponse> controlledShutdown(
      ControlledShutdownRequest request);

  // The operations calls. The defaults: not supported (a controller without them).

  default CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
      IncrementalAlterConfigsRequest request) {
    throw new IllegalStateException("IncrementalAlterConfigs is not supported here");
  }

  default CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
      AlterPartitionReassignmentsRequest request) {
    throw new IllegalStateException("AlterPartitionReassignments is not supported here");
  }

  default CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
      ListPartitionReassignmentsRequest request) {
    throw new IllegalStateException("ListPartitionReassignments is not supported here");
  }

  default CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest request) {
    throw new IllegalStateException("ElectLeaders is not supported here");
  }

  /** The controller candidate {@code c} of this broker. */
  static LocalController of(io.brook.controller.Controller c) {
    return new LocalController() {
      @Override
      public boolean isActive() {
        return c.isActive();
      }

      @Override
      public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest r) {
        return c.createTopics(r);
      }

      @Override
      public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest r) {
        return c.deleteTopics(r);
      }

      @Override
      public CompletableFuture<CreatePartitionsResponse> createPartitions(
          CreatePartitionsRequest r) {
        return c.createPartitions(r);
      }

      @Override
      public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest r) {
        return c.alterPartition(r);
      }

      @Override
      public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
          AllocateProducerIdsRequest r) {
        return c.allocateProducerIds(r);
      }

      @Override
      public CompletableFuture<ControlledShutdownResponse> controlledShutdown(
          ControlledShutdownRequest r) {
        return c.controlledShutdown(r);
      }

      @Override
      public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
          IncrementalAlterConfigsRequest r) {
        return c.incrementalAlterConfigs(r);
      }

      @Override
      public CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
          AlterPartitionReassignmentsRequest r) {
        return c.alterPartitionReassignments(r);
      }

      @Override
      public CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
          ListPartitionReassignmentsRequest r) {
        return c.listPartitionReassignments(r);
      }

      @Override
      public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest r) {
        return c.electLeaders(r);
      }
    };
  }

  /** No controller in this broker (controller.candidate=false). */
  LocalController NONE =
      new LocalController() {
        @Override
        public boolean isActive() {
          return false;
        }

        @Override
        public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }

        @Override
        public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }

        @Override
        public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }

        @Override
        public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(
            AllocateProducerIdsRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }

        @Override
        public CompletableFuture<ControlledShutdownResponse> controlledShutdown(
            ControlledShutdownRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }
      };
}
