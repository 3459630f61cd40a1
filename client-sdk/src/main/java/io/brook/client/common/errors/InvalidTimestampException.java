package io.brook.client.common.errors;

/** A record's timestamp is outside the accepted range (INVALID_TIMESTAMP). */
public class InvalidTimestampException extends ApiException {
  public InvalidTimestampException(String message) {
    super(message);
  }

  public InvalidTimestampException(String message, Throwable cause) {
    super(message, cause);
  }
}
