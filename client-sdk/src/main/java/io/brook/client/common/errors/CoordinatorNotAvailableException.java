package io.brook.client.common.errors;

/** No group coordinator is available now (COORDINATOR_NOT_AVAILABLE); find it again. */
public class CoordinatorNotAvailableException extends RetriableException {
  public CoordinatorNotAvailableException(String message) {
    super(message);
  }

  public CoordinatorNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
