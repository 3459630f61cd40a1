package io.brook.client.common.errors;

/** The request carried an older leader epoch than the partition's (FENCED_LEADER_EPOCH). */
public class FencedLeaderEpochException extends InvalidMetadataException {
  public FencedLeaderEpochException(String message) {
    super(message);
  }

  public FencedLeaderEpochException(String message, Throwable cause) {
    super(message, cause);
  }
}
