package io.brook.client.common.errors;

/** The request carried a newer leader epoch than the broker knows (UNKNOWN_LEADER_EPOCH). */
public class UnknownLeaderEpochException extends InvalidMetadataException {
  public UnknownLeaderEpochException(String message) {
    super(message);
  }

  public UnknownLeaderEpochException(String message, Throwable cause) {
    super(message, cause);
  }
}
