package io.brook.client.common.errors;

/** The broker is not the group's coordinator (NOT_COORDINATOR); find it again. */
public class NotCoordinatorException extends RetriableException {
  public NotCoordinatorException(String message) {
    super(message);
  }

  public NotCoordinatorException(String message, Throwable cause) {
    super(message, cause);
  }
}
