package io.brook.client.common.errors;

/** No reassignment of the partition is in progress (NO_REASSIGNMENT_IN_PROGRESS). */
public class NoReassignmentInProgressException extends ApiException {
  public NoReassignmentInProgressException(String message) {
    super(message);
  }

  public NoReassignmentInProgressException(String message, Throwable cause) {
    super(message, cause);
  }
}
