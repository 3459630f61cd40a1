package io.brook.client.internals;

import io.brook.client.common.errors.ApiException;
import io.brook.client.common.errors.BrokerNotAvailableException;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.CoordinatorLoadInProgressException;
import io.brook.client.common.errors.CoordinatorNotAvailableException;
import io.brook.client.common.errors.CorruptRecordException;
import io.brook.client.common.errors.DuplicateSequenceException;
import io.brook.client.common.errors.ElectionNotNeededException;
import io.brook.client.common.errors.EligibleLeadersNotAvailableException;
import io.brook.client.common.errors.FencedInstanceIdException;
import io.brook.client.common.errors.FencedLeaderEpochException;
import io.brook.client.common.errors.GroupIdNotFoundException;
import io.brook.client.common.errors.GroupMaxSizeReachedException;
import io.brook.client.common.errors.GroupNotEmptyException;
import io.brook.client.common.errors.GroupSubscribedToTopicException;
import io.brook.client.common.errors.IllegalGenerationException;
import io.brook.client.common.errors.InconsistentGroupProtocolException;
import io.brook.client.common.errors.InconsistentTopicIdException;
import io.brook.client.common.errors.InvalidConfigurationException;
import io.brook.client.common.errors.InvalidGroupIdException;
import io.brook.client.common.errors.InvalidPartitionsException;
import io.brook.client.common.errors.InvalidProducerEpochException;
import io.brook.client.common.errors.InvalidRecordException;
import io.brook.client.common.errors.InvalidReplicaAssignmentException;
import io.brook.client.common.errors.InvalidReplicationFactorException;
import io.brook.client.common.errors.InvalidRequestException;
import io.brook.client.common.errors.InvalidRequiredAcksException;
import io.brook.client.common.errors.InvalidSessionTimeoutException;
import io.brook.client.common.errors.InvalidTimestampException;
import io.brook.client.common.errors.InvalidTopicException;
import io.brook.client.common.errors.LeaderNotAvailableException;
import io.brook.client.common.errors.MemberIdRequiredException;
import io.brook.client.common.errors.NetworkException;
import io.brook.client.common.errors.NoReassignmentInProgressException;
import io.brook.client.common.errors.NotControllerException;
import io.brook.client.common.errors.NotCoordinatorException;
import io.brook.client.common.errors.NotEnoughReplicasAfterAppendException;
import io.brook.client.common.errors.NotEnoughReplicasException;
import io.brook.client.common.errors.NotLeaderOrFollowerException;
import io.brook.client.common.errors.OffsetMetadataTooLargeException;
import io.brook.client.common.errors.OffsetNotAvailableException;
import io.brook.client.common.errors.OffsetOutOfRangeException;
import io.brook.client.common.errors.OutOfOrderSequenceException;
import io.brook.client.common.errors.PreferredLeaderNotAvailableException;
import io.brook.client.common.errors.ReassignmentInProgressException;
import io.brook.client.common.errors.RebalanceInProgressException;
import io.brook.client.common.errors.RecordBatchTooLargeException;
import io.brook.client.common.errors.RecordTooLargeException;
import io.brook.client.common.errors.StaleBrokerEpochException;
import io.brook.client.common.errors.StaleControllerEpochException;
import io.brook.client.common.errors.StorageException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.errors.TopicDeletionDisabledException;
import io.brook.client.common.errors.TopicExistsException;
import io.brook.client.common.errors.UnknownLeaderEpochException;
import io.brook.client.common.errors.UnknownMemberIdException;
import io.brook.client.common.errors.UnknownProducerIdException;
import io.brook.client.common.errors.UnknownServerException;
import io.brook.client.common.errors.UnknownTopicOrPartitionException;
import io.brook.client.common.errors.UnsupportedVersionException;
import io.brook.protocol.v1.ErrorCode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The one place that turns wire errors (an {@link ErrorCode} with the broker's message, or a gRPC
 * status) into the client's exceptions. Stateless.
 */
public final class ErrorMapping {
  private ErrorMapping() {}

  /** The exception for {@code code}, carrying the broker's message (or a default one). */
  public static ApiException exception(ErrorCode code, String message) {
    String m = message == null || message.isEmpty() ? defaultMessage(code) : message;
    return switch (code) {
      case OFFSET_OUT_OF_RANGE -> new OffsetOutOfRangeException(m);
      case CORRUPT_MESSAGE -> new CorruptRecordException(m);
      case UNKNOWN_TOPIC_OR_PARTITION -> new UnknownTopicOrPartitionException(m);
      case LEADER_NOT_AVAILABLE -> new LeaderNotAvailableException(m);
      case NOT_LEADER_OR_FOLLOWER -> new NotLeaderOrFollowerException(m);
      case REQUEST_TIMED_OUT -> new TimeoutException(m);
      case BROKER_NOT_AVAILABLE -> new BrokerNotAvailableException(m);
      case RECORD_TOO_LARGE -> new RecordTooLargeException(m);
      case STALE_CONTROLLER_EPOCH -> new StaleControllerEpochException(m);
      case INVALID_TOPIC -> new InvalidTopicException(m);
      case RECORD_LIST_TOO_LARGE -> new RecordBatchTooLargeException(m);
      case NOT_ENOUGH_REPLICAS -> new NotEnoughReplicasException(m);
      case NOT_ENOUGH_REPLICAS_AFTER_APPEND -> new NotEnoughReplicasAfterAppendException(m);
      case INVALID_REQUIRED_ACKS -> new InvalidRequiredAcksException(m);
      case ILLEGAL_GENERATION -> new IllegalGenerationException(m);
      case UNKNOWN_MEMBER_ID -> new UnknownMemberIdException(m);
      case REBALANCE_IN_PROGRESS -> new RebalanceInProgressException(m);
      case INVALID_TIMESTAMP -> new InvalidTimestampException(m);
      case TOPIC_ALREADY_EXISTS -> new TopicExistsException(m);
      case INVALID_PARTITIONS -> new InvalidPartitionsException(m);
      case INVALID_REPLICATION_FACTOR -> new InvalidReplicationFactorException(m);
      case INVALID_REPLICA_ASSIGNMENT -> new InvalidReplicaAssignmentException(m);
      case INVALID_CONFIG -> new InvalidConfigurationException(m);
      case NOT_CONTROLLER -> new NotControllerException(m);
      case INVALID_REQUEST -> new InvalidRequestException(m);
      case OUT_OF_ORDER_SEQUENCE_NUMBER -> new OutOfOrderSequenceException(m);
      case DUPLICATE_SEQUENCE_NUMBER -> new DuplicateSequenceException(m);
      case INVALID_PRODUCER_EPOCH -> new InvalidProducerEpochException(m);
      case UNKNOWN_PRODUCER_ID -> new UnknownProducerIdException(m);
      case OFFSET_NOT_AVAILABLE -> new OffsetNotAvailableException(m);
      case KAFKA_STORAGE_ERROR -> new StorageException(m);
      case TOPIC_DELETION_IN_PROGRESS -> new TopicDeletionDisabledException(m);
      case FENCED_LEADER_EPOCH -> new FencedLeaderEpochException(m);
      case UNKNOWN_LEADER_EPOCH -> new UnknownLeaderEpochException(m);
      case STALE_BROKER_EPOCH -> new StaleBrokerEpochException(m);
      case ELIGIBLE_LEADERS_NOT_AVAILABLE -> new EligibleLeadersNotAvailableException(m);
      case INVALID_RECORD -> new InvalidRecordException(m);
      case INCONSISTENT_TOPIC_ID -> new InconsistentTopicIdException(m);
      case OFFSET_METADATA_TOO_LARGE -> new OffsetMetadataTooLargeException(m);
      case COORDINATOR_LOAD_IN_PROGRESS -> new CoordinatorLoadInProgressException(m);
      case COORDINATOR_NOT_AVAILABLE -> new CoordinatorNotAvailableException(m);
      case NOT_COORDINATOR -> new NotCoordinatorException(m);
      case INCONSISTENT_GROUP_PROTOCOL -> new InconsistentGroupProtocolException(m);
      case INVALID_GROUP_ID -> new InvalidGroupIdException(m);
      case INVALID_SESSION_TIMEOUT -> new InvalidSessionTimeoutException(m);
      case NON_EMPTY_GROUP -> new GroupNotEmptyException(m);
      case GROUP_ID_NOT_FOUND -> new GroupIdNotFoundException(m);
      case MEMBER_ID_REQUIRED -> new MemberIdRequiredException(m);
      case GROUP_MAX_SIZE_REACHED -> new GroupMaxSizeReachedException(m);
      case FENCED_INSTANCE_ID -> new FencedInstanceIdException(m);
      case GROUP_SUBSCRIBED_TO_TOPIC -> new GroupSubscribedToTopicException(m);
      case ELECTION_NOT_NEEDED -> new ElectionNotNeededException(m);
      case PREFERRED_LEADER_NOT_AVAILABLE -> new PreferredLeaderNotAvailableException(m);
      case NO_REASSIGNMENT_IN_PROGRESS -> new NoReassignmentInProgressException(m);
      case REASSIGNMENT_IN_PROGRESS -> new ReassignmentInProgressException(m);
      default -> new UnknownServerException(m);
    };
  }

  /** Kafka's default message for a code, used when the broker sent none. */
  public static String defaultMessage(ErrorCode code) {
    return switch (code) {
      case OFFSET_OUT_OF_RANGE ->
          "The requested offset is not within the range of offsets maintained by the server.";
      case CORRUPT_MESSAGE -> "This message has failed its CRC checksum or is otherwise corrupt.";
      case UNKNOWN_TOPIC_OR_PARTITION -> "This server does not host this topic-partition.";
      case LEADER_NOT_AVAILABLE ->
          "There is no leader for this topic-partition as we are in the middle of a leadership"
              + " election.";
      case NOT_LEADER_OR_FOLLOWER ->
          "For requests intended only for the leader, this error"
              + " indicates that the broker is not the current leader.";
      case REQUEST_TIMED_OUT -> "The request timed out.";
      case RECORD_TOO_LARGE ->
          "The request included a message larger than the max message size the server will"
              + " accept.";
      case INVALID_TOPIC -> "The request attempted to perform an operation on an invalid topic.";
      case NOT_ENOUGH_REPLICAS ->
          "Messages are rejected since there are fewer in-sync replicas than required.";
      case NOT_ENOUGH_REPLICAS_AFTER_APPEND ->
          "Messages are written to the log, but to fewer in-sync replicas than required.";
      case TOPIC_ALREADY_EXISTS -> "Topic with this name already exists.";
      case INVALID_REPLICATION_FACTOR ->
          "Replication factor is below 1 or larger than the number" + " of available brokers.";
      case NOT_CONTROLLER -> "This is not the correct controller for this cluster.";
      case OUT_OF_ORDER_SEQUENCE_NUMBER -> "The broker received an out of order sequence number.";
      case DUPLICATE_SEQUENCE_NUMBER -> "The broker received a duplicate sequence number.";
      case INVALID_PRODUCER_EPOCH -> "Producer attempted to produce with an old epoch.";
      case UNKNOWN_PRODUCER_ID ->
          "This exception is raised by the broker if it could not locate the producer metadata"
              + " associated with the producerId in question.";
      case FENCED_LEADER_EPOCH ->
          "The leader epoch in the request is older than the epoch on the broker.";
      case UNKNOWN_LEADER_EPOCH ->
          "The leader epoch in the request is newer than the epoch on the broker.";
      case OFFSET_NOT_AVAILABLE ->
          "The leader high watermark has not caught up from a recent leader election so the"
              + " offsets cannot be guaranteed to be monotonically increasing.";
      case COORDINATOR_LOAD_IN_PROGRESS ->
          "The coordinator is loading and hence can't process requests.";
      case COORDINATOR_NOT_AVAILABLE -> "The coordinator is not available.";
      case NOT_COORDINATOR -> "This is not the correct coordinator.";
      case ILLEGAL_GENERATION -> "Specified group generation id is not valid.";
      case UNKNOWN_MEMBER_ID -> "The coordinator is not aware of this member.";
      case REBALANCE_IN_PROGRESS -> "The group is rebalancing, so a rejoin is needed.";
      case INCONSISTENT_GROUP_PROTOCOL ->
          "The group member's supported protocols are incompatible with those of existing"
              + " members or first group member tried to join with empty protocol type or empty"
              + " protocol list.";
      case INVALID_GROUP_ID -> "The configured groupId is invalid.";
      case INVALID_SESSION_TIMEOUT ->
          "The session timeout is not within the range allowed by the broker (as configured by"
              + " group.min.session.timeout.ms and group.max.session.timeout.ms).";
      case NON_EMPTY_GROUP -> "The group is not empty.";
      case GROUP_ID_NOT_FOUND -> "The group id does not exist.";
      case FENCED_INSTANCE_ID ->
          "The broker rejected this static consumer since another consumer with the same"
              + " group.instance.id has registered with a different member.id.";
      case OFFSET_METADATA_TOO_LARGE -> "The metadata field of the offset request was too large.";
      case ELECTION_NOT_NEEDED -> "Leader election not needed for topic partition.";
      case PREFERRED_LEADER_NOT_AVAILABLE -> "The preferred leader was not available.";
      case ELIGIBLE_LEADERS_NOT_AVAILABLE -> "Eligible topic partition leaders are not available.";
      case NO_REASSIGNMENT_IN_PROGRESS -> "No partition reassignment is in progress.";
      case REASSIGNMENT_IN_PROGRESS -> "A partition reassignment is in progress.";
      default -> code.name();
    };
  }

  /** The exception for a failed gRPC call to {@code address}. */
  public static BrookException fromStatus(Throwable t, String address) {
    Status s = Status.fromThrowable(t);
    String what = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    return switch (s.getCode()) {
      case DEADLINE_EXCEEDED ->
          new TimeoutException("request to " + address + " timed out: " + what, t);
      case RESOURCE_EXHAUSTED ->
          new RecordBatchTooLargeException(
              "request to " + address + " was refused as too large: " + what, t);
      case INVALID_ARGUMENT ->
          new InvalidRequestException("broker " + address + " refused the request: " + what, t);
      case UNIMPLEMENTED ->
          new UnsupportedVersionException(
              "broker " + address + " does not implement this call: " + what, t);
      default ->
          new NetworkException(
              "connection to " + address + " failed (" + s.getCode() + "): " + what, t);
    };
  }

  public static boolean isStatus(Throwable t) {
    return t instanceof StatusRuntimeException || t instanceof io.grpc.StatusException;
  }
}
