package io.brook.broker.group;

import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribeGroupsResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.HeartbeatResponse;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The group coordinator of one broker: membership, generations, rebalances and committed offsets of
 * the groups whose {@code __consumer_offsets} partition this broker leads. SKELETON: the contract
 * of issue 5 (the real implementation replaces this file); every call answers
 * COORDINATOR_NOT_AVAILABLE.
 *
 * <p>Thread rules: every method may be called from any thread and never blocks; waits (JoinGroup,
 * commits being replicated) are futures.
 */
public final class GroupCoordinator implements GroupStore.Listener, AutoCloseable {
  public GroupCoordinator(GroupConfig config, GroupStore store, Time time, Scheduler scheduler) {}

  /** Starts the periodic tasks (offset expiration). */
  public void startup() {}

  @Override
  public void close() {}

  /**
   * @param clientHost the member's address as the adapter saw it ("/127.0.0.1")
   */
  public CompletableFuture<JoinGroupResponse> joinGroup(JoinGroupRequest req, String clientHost) {
    return CompletableFuture.completedFuture(
        JoinGroupResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
  }

  public CompletableFuture<SyncGroupResponse> syncGroup(SyncGroupRequest req) {
    return CompletableFuture.completedFuture(
        SyncGroupResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
  }

  public CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest req) {
    return CompletableFuture.completedFuture(
        HeartbeatResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
  }

  public CompletableFuture<LeaveGroupResponse> leaveGroup(LeaveGroupRequest req) {
    return CompletableFuture.completedFuture(
        LeaveGroupResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
  }

  /**
   * Partitions of unknown topics have been answered UNKNOWN_TOPIC_OR_PARTITION by the caller and
   * are not in {@code req}.
   */
  public CompletableFuture<OffsetCommitResponse> offsetCommit(OffsetCommitRequest req) {
    return CompletableFuture.completedFuture(OffsetCommitResponse.getDefaultInstance());
  }

  public CompletableFuture<OffsetFetchResponse> offsetFetch(OffsetFetchRequest req) {
    return CompletableFuture.completedFuture(
        OffsetFetchResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
  }

  public ListGroupsResponse listGroups(ListGroupsRequest req) {
    return ListGroupsResponse.getDefaultInstance();
  }

  public DescribeGroupsResponse describeGroups(DescribeGroupsRequest req) {
    return DescribeGroupsResponse.getDefaultInstance();
  }

  public CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest req) {
    return CompletableFuture.completedFuture(DeleteGroupsResponse.getDefaultInstance());
  }

  public CompletableFuture<OffsetDeleteResponse> offsetDelete(OffsetDeleteRequest req) {
    return CompletableFuture.completedFuture(
        OffsetDeleteResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
  }

  /** Topics were deleted: drop (tombstone) every group's committed offsets of these partitions. */
  public void onPartitionsDeleted(Collection<TopicPartition> partitions) {}

  /** True while this broker coordinates (owns, loaded or loading) the partition of the group. */
  public boolean isCoordinatorFor(String groupId) {
    return false;
  }

  @Override
  public void onElection(int partition, int leaderEpoch) {}

  @Override
  public void onLoaded(int partition, int leaderEpoch, GroupStore.LoadedPartition loaded) {}

  @Override
  public void onResignation(int partition, int leaderEpoch) {}
}
