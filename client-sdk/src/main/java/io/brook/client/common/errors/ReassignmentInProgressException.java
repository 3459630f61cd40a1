package io.brook.client.common.errors;

/** The partition is being reassigned (REASSIGNMENT_IN_PROGRESS). */
public class ReassignmentInProgressException extends ApiException {
  public ReassignmentInProgressException(String message) {
    super(message);
  }

  public ReassignmentInProgressException(String message, Throwable cause) {
    super(message, cause);
  }
}
