package io.brook.client.common.errors;

/** The broker is not the leader of the partition (NOT_LEADER_OR_FOLLOWER). */
public class NotLeaderOrFollowerException extends InvalidMetadataException {
  public NotLeaderOrFollowerException(String message) {
    super(message);
  }

  public NotLeaderOrFollowerException(String message, Throwable cause) {
    super(message, cause);
  }
}
