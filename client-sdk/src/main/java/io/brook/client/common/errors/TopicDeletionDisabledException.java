package io.brook.client.common.errors;

/** A topic is being deleted (TOPIC_DELETION_IN_PROGRESS). */
public class TopicDeletionDisabledException extends ApiException {
  public TopicDeletionDisabledException(String message) {
    super(message);
  }

  public TopicDeletionDisabledException(String message, Throwable cause) {
    super(message, cause);
  }
}
