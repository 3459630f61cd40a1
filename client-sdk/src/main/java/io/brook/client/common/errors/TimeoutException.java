package io.brook.client.common.errors;

/**
 * An operation did not complete within its time bound (max.block.ms, delivery.timeout.ms,
 * request.timeout.ms, default.api.timeout.ms).
 */
public class TimeoutException extends RetriableException {
  public TimeoutException(String message) {
    super(message);
  }

  public TimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
