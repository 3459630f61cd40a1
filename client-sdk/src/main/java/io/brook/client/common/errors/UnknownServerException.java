package io.brook.client.common.errors;

/** An unexpected error on the broker; the message says what (UNKNOWN_SERVER_ERROR). */
public class UnknownServerException extends ApiException {
  public UnknownServerException(String message) {
    super(message);
  }

  public UnknownServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
