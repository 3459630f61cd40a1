package io.brook.client.common.errors;

/**
 * session.timeout.ms is outside the broker's group.min/max.session.timeout.ms
 * (INVALID_SESSION_TIMEOUT).
 */
public class InvalidSessionTimeoutException extends ApiException {
  public InvalidSessionTimeoutException(String message) {
    super(message);
  }

  public InvalidSessionTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
