package io.brook.client.common.errors;

/** The member id is not known to the group coordinator (UNKNOWN_MEMBER_ID). */
public class UnknownMemberIdException extends ApiException {
  public UnknownMemberIdException(String message) {
    super(message);
  }

  public UnknownMemberIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
