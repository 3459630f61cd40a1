package io.brook.protocol;

import io.brook.protocol.v1.ErrorCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * What each {@link ErrorCode} means for the one who receives it: whether repeating the same request
 * later can succeed. Thread-safe (stateless).
 */
public final class Errors {
  private static final Set<ErrorCode> RETRIABLE =
      EnumSet.of(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          ErrorCode.LEADER_NOT_AVAILABLE,
          ErrorCode.NOT_LEADER_OR_FOLLOWER,
          ErrorCode.REQUEST_TIMED_OUT,
          ErrorCode.BROKER_NOT_AVAILABLE,
          ErrorCode.NOT_ENOUGH_REPLICAS,
          ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          ErrorCode.NOT_CONTROLLER,
          ErrorCode.KAFKA_STORAGE_ERROR,
          ErrorCode.FENCED_LEADER_EPOCH,
          ErrorCode.UNKNOWN_LEADER_EPOCH,
          ErrorCode.OFFSET_NOT_AVAILABLE,
          ErrorCode.CORRUPT_MESSAGE,
          ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
          ErrorCode.COORDINATOR_NOT_AVAILABLE,
          ErrorCode.NOT_COORDINATOR);

  /** Codes after which the client should refresh its metadata before retrying. */
  private static final Set<ErrorCode> METADATA_STALE =
      EnumSet.of(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          ErrorCode.LEADER_NOT_AVAILABLE,
          ErrorCode.NOT_LEADER_OR_FOLLOWER,
          ErrorCode.BROKER_NOT_AVAILABLE,
          ErrorCode.NOT_CONTROLLER,
          ErrorCode.KAFKA_STORAGE_ERROR,
          ErrorCode.FENCED_LEADER_EPOCH,
          ErrorCode.UNKNOWN_LEADER_EPOCH);

  private Errors() {}

  /**
   * True when the same request may succeed if sent again later. {@code CORRUPT_MESSAGE} counts as
   * retriable as in Kafka: a batch corrupted in transit can be sent again intact.
   */
  public static boolean isRetriable(ErrorCode code) {
    return RETRIABLE.contains(code);
  }

  /** True when the error means the client's view of leaders is out of date. */
  public static boolean invalidatesMetadata(ErrorCode code) {
    return METADATA_STALE.contains(code);
  }
}
