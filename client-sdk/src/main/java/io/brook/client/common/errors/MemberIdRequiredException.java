package io.brook.client.common.errors;

/** A first join needs the member id the coordinator handed out (MEMBER_ID_REQUIRED). */
public class MemberIdRequiredException extends ApiException {
  public MemberIdRequiredException(String message) {
    super(message);
  }

  public MemberIdRequiredException(String message, Throwable cause) {
    super(message, cause);
  }
}
