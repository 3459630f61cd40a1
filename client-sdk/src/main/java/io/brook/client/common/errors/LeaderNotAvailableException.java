package io.brook.client.common.errors;

/** The partition has no leader right now (LEADER_NOT_AVAILABLE). */
public class LeaderNotAvailableException extends InvalidMetadataException {
  public LeaderNotAvailableException(String message) {
    super(message);
  }

  public LeaderNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
