package io.brook.client.common.errors;

/** A topic of that name already exists (TOPIC_ALREADY_EXISTS). */
public class TopicExistsException extends ApiException {
  public TopicExistsException(String message) {
    super(message);
  }

  public TopicExistsException(String message, Throwable cause) {
    super(message, cause);
  }
}
