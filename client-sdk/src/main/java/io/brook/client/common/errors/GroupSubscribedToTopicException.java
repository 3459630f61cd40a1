package io.brook.client.common.errors;

/**
 * Offsets of a topic cannot be deleted while a member of the group subscribes to it
 * (GROUP_SUBSCRIBED_TO_TOPIC).
 */
public class GroupSubscribedToTopicException extends ApiException {
  public GroupSubscribedToTopicException(String message) {
    super(message);
  }

  public GroupSubscribedToTopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
