package io.brook.client.common.errors;

/** The group has group.max.size members already (GROUP_MAX_SIZE_REACHED). */
public class GroupMaxSizeReachedException extends ApiException {
  public GroupMaxSizeReachedException(String message) {
    super(message);
  }

  public GroupMaxSizeReachedException(String message, Throwable cause) {
    super(message, cause);
  }
}
