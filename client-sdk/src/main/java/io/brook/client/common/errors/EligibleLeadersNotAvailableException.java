package io.brook.client.common.errors;

/** The partition has no online leader and no eligible replica (ELIGIBLE_LEADERS_NOT_AVAILABLE). */
public class EligibleLeadersNotAvailableException extends ApiException {
  public EligibleLeadersNotAvailableException(String message) {
    super(message);
  }

  public EligibleLeadersNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
