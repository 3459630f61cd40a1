package io.brook.client.common.errors;

/** The group does not exist (GROUP_ID_NOT_FOUND). */
public class GroupIdNotFoundException extends ApiException {
  public GroupIdNotFoundException(String message) {
    super(message);
  }

  public GroupIdNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
