package io.brook.client.common.errors;

/** The partition already has the leader the election would pick (ELECTION_NOT_NEEDED). */
public class ElectionNotNeededException extends ApiException {
  public ElectionNotNeededException(String message) {
    super(message);
  }

  public ElectionNotNeededException(String message, Throwable cause) {
    super(message, cause);
  }
}
