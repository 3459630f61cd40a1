package io.brook.client.common.errors;

/** The group still has members (NON_EMPTY_GROUP). */
public class GroupNotEmptyException extends ApiException {
  public GroupNotEmptyException(String message) {
    super(message);
  }

  public GroupNotEmptyException(String message, Throwable cause) {
    super(message, cause);
  }
}
