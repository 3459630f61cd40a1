package io.brook.client.common.errors;

/** The group id is empty or not valid (INVALID_GROUP_ID). */
public class InvalidGroupIdException extends ApiException {
  public InvalidGroupIdException(String message) {
    super(message);
  }

  public InvalidGroupIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
