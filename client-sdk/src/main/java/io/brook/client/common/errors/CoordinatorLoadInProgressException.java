package io.brook.client.common.errors;

/**
 * The coordinator is still loading the group's state from __consumer_offsets
 * (COORDINATOR_LOAD_IN_PROGRESS).
 */
public class CoordinatorLoadInProgressException extends RetriableException {
  public CoordinatorLoadInProgressException(String message) {
    super(message);
  }

  public CoordinatorLoadInProgressException(String message, Throwable cause) {
    super(message, cause);
  }
}
