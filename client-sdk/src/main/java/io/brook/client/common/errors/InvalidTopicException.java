package io.brook.client.common.errors;

/** The topic name is not valid (INVALID_TOPIC). */
public class InvalidTopicException extends ApiException {
  public InvalidTopicException(String message) {
    super(message);
  }

  public InvalidTopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
