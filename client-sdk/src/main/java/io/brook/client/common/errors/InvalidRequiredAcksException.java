package io.brook.client.common.errors;

/** acks was not one of all (-1), 0 or 1 (INVALID_REQUIRED_ACKS). */
public class InvalidRequiredAcksException extends ApiException {
  public InvalidRequiredAcksException(String message) {
    super(message);
  }

  public InvalidRequiredAcksException(String message, Throwable cause) {
    super(message, cause);
  }
}
