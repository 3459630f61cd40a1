package io.brook.client.common.errors;

/** The request was malformed (INVALID_REQUEST). */
public class InvalidRequestException extends ApiException {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
