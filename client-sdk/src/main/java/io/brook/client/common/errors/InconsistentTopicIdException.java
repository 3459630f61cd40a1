package io.brook.client.common.errors;

/** The topic id in the request does not match the topic's (INCONSISTENT_TOPIC_ID). */
public class InconsistentTopicIdException extends ApiException {
  public InconsistentTopicIdException(String message) {
    super(message);
  }

  public InconsistentTopicIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
