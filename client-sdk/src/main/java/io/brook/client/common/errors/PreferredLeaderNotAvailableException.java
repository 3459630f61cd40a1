package io.brook.client.common.errors;

/** The preferred replica is not live or not in the ISR (PREFERRED_LEADER_NOT_AVAILABLE). */
public class PreferredLeaderNotAvailableException extends ApiException {
  public PreferredLeaderNotAvailableException(String message) {
    super(message);
  }

  public PreferredLeaderNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
