package io.brook.broker.server;

import io.brook.protocol.v1.AlterPartitionReassignmentsRequest;
import io.brook.protocol.v1.AlterPartitionReassignmentsResponse;
import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreatePartitionsTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeletableGroupResult;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribeGroupsResponse;
import io.brook.protocol.v1.DescribedGroup;
import io.brook.protocol.v1.ElectLeadersRequest;
import io.brook.protocol.v1.ElectLeadersResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.FindCoordinatorResponse;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.HeartbeatResponse;
import io.brook.protocol.v1.IncrementalAlterConfigsRequest;
import io.brook.protocol.v1.IncrementalAlterConfigsResponse;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.ListPartitionReassignmentsRequest;
import io.brook.protocol.v1.ListPartitionReassignmentsResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What BrokerService does, without the network: the gRPC adapter decodes a call, calls one of
 * these, and encodes the answer. Per-partition failures are in the responses; a future completes
 * exceptionally only for a whole-call failure (the broker is shutting down, a bug).
 *
 * <p>Thread rules: every method may be called from any thread and never blocks on a wait (waits are
 * futures). {@link #produce} appends before returning, so calling it in a stream's order keeps that
 * order.
 */
public interface BrokerApi {
  CompletableFuture<MetadataResponse> metadata(MetadataRequest request);

  /**
   * Appends the request's batches. The future completes with the answer (also for acks=0, where the
   * adapter does not send it).
   */
  CompletableFuture<ProduceResponse> produce(ProduceRequest request);

  CompletableFuture<FetchResponse> fetch(FetchRequest request);

  CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request);

  CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request);

  CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request);

  /**
   * Adds partitions (forwarded to the controller). The default answers INVALID_REQUEST per topic
   * (an API without a controller); the broker's handler overrides it.
   */
  default CompletableFuture<CreatePartitionsResponse> createPartitions(
      CreatePartitionsRequest request) {
    CreatePartitionsResponse.Builder b = CreatePartitionsResponse.newBuilder();
    request
        .getTopicsList()
        .forEach(
            t ->
                b.addResults(
                    CreatePartitionsTopicResult.newBuilder()
                        .setName(t.getName())
                        .setError(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage("This broker cannot add partitions")));
    return CompletableFuture.completedFuture(b.build());
  }

  CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest request);

  CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request);

  /**
   * A producer id for an idempotent producer (epoch 0). The default answers BROKER_NOT_AVAILABLE
   * (an API without producer ids); the broker's handler overrides it.
   */
  default CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest request) {
    return CompletableFuture.completedFuture(
        InitProducerIdResponse.newBuilder()
            .setError(ErrorCode.BROKER_NOT_AVAILABLE)
            .setErrorMessage("This broker does not hand out producer ids")
            .setProducerId(-1)
            .setProducerEpoch(-1)
            .build());
  }

  // ------------------------------------------------------------------ operations (forwarded to
  // the controller). The defaults fail the call: an API without a controller; the broker's handler
  // overrides them.

  default CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
      IncrementalAlterConfigsRequest request) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("This broker cannot serve IncrementalAlterConfigs"));
  }

  default CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(
      AlterPartitionReassignmentsRequest request) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("This broker cannot serve AlterPartitionReassignments"));
  }

  default CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(
      ListPartitionReassignmentsRequest request) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("This broker cannot serve ListPartitionReassignments"));
  }

  default CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest request) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("This broker cannot serve ElectLeaders"));
  }

  // ------------------------------------------------------------------ groups
  //
  // The defaults answer as a broker without a group coordinator would (COORDINATOR_NOT_AVAILABLE,
  // retriable); the broker's handler overrides them.

  /** The coordinator of a group: the leader of its partition of __consumer_offsets. */
  default CompletableFuture<FindCoordinatorResponse> findCoordinator(
      FindCoordinatorRequest request) {
    return CompletableFuture.completedFuture(
        FindCoordinatorResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .build());
  }

  /**
   * @param clientHost the member's address as the transport saw it ("/127.0.0.1")
   */
  default CompletableFuture<JoinGroupResponse> joinGroup(
      JoinGroupRequest request, String clientHost) {
    return CompletableFuture.completedFuture(
        JoinGroupResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .setGenerationId(-1)
            .setMemberId(request.getMemberId())
            .build());
  }

  default CompletableFuture<SyncGroupResponse> syncGroup(SyncGroupRequest request) {
    return CompletableFuture.completedFuture(
        SyncGroupResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .build());
  }

  default CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest request) {
    return CompletableFuture.completedFuture(
        HeartbeatResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .build());
  }

  default CompletableFuture<LeaveGroupResponse> leaveGroup(LeaveGroupRequest request) {
    return CompletableFuture.completedFuture(
        LeaveGroupResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .build());
  }

  default CompletableFuture<OffsetCommitResponse> offsetCommit(OffsetCommitRequest request) {
    OffsetCommitResponse.Builder b = OffsetCommitResponse.newBuilder();
    request
        .getTopicsList()
        .forEach(
            t -> {
              var tr =
                  io.brook.protocol.v1.OffsetCommitTopicResponse.newBuilder().setName(t.getName());
              t.getPartitionsList()
                  .forEach(
                      p ->
                          tr.addPartitions(
                              io.brook.protocol.v1.OffsetCommitPartitionResponse.newBuilder()
                                  .setPartition(p.getPartition())
                                  .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
                                  .setErrorMessage(NO_COORDINATOR)));
              b.addTopics(tr);
            });
    return CompletableFuture.completedFuture(b.build());
  }

  default CompletableFuture<OffsetFetchResponse> offsetFetch(OffsetFetchRequest request) {
    return CompletableFuture.completedFuture(
        OffsetFetchResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .build());
  }

  /** The groups this broker coordinates (none by default). */
  default CompletableFuture<ListGroupsResponse> listGroups(ListGroupsRequest request) {
    return CompletableFuture.completedFuture(ListGroupsResponse.getDefaultInstance());
  }

  default CompletableFuture<DescribeGroupsResponse> describeGroups(DescribeGroupsRequest request) {
    DescribeGroupsResponse.Builder b = DescribeGroupsResponse.newBuilder();
    request
        .getGroupsList()
        .forEach(
            g ->
                b.addGroups(
                    DescribedGroup.newBuilder()
                        .setGroupId(g)
                        .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
                        .setErrorMessage(NO_COORDINATOR)));
    return CompletableFuture.completedFuture(b.build());
  }

  default CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest request) {
    DeleteGroupsResponse.Builder b = DeleteGroupsResponse.newBuilder();
    request
        .getGroupsNamesList()
        .forEach(
            g ->
                b.addResults(
                    DeletableGroupResult.newBuilder()
                        .setGroupId(g)
                        .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
                        .setErrorMessage(NO_COORDINATOR)));
    return CompletableFuture.completedFuture(b.build());
  }

  default CompletableFuture<OffsetDeleteResponse> offsetDelete(OffsetDeleteRequest request) {
    return CompletableFuture.completedFuture(
        OffsetDeleteResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .setErrorMessage(NO_COORDINATOR)
            .build());
  }

  /** The message of the default group answers. */
  String NO_COORDINATOR = "This broker has no group coordinator";
}
