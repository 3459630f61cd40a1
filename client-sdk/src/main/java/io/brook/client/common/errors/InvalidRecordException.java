package io.brook.client.common.errors;

/** A record failed validation on the broker (INVALID_RECORD). */
public class InvalidRecordException extends ApiException {
  public InvalidRecordException(String message) {
    super(message);
  }

  public InvalidRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
