package io.brook.client.common.errors;

/**
 * The member's protocol type or assignors share nothing with the group's
 * (INCONSISTENT_GROUP_PROTOCOL).
 */
public class InconsistentGroupProtocolException extends ApiException {
  public InconsistentGroupProtocolException(String message) {
    super(message);
  }

  public InconsistentGroupProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
