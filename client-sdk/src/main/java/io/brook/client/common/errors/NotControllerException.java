package io.brook.client.common.errors;

/** The broker is not the active controller (NOT_CONTROLLER). */
public class NotControllerException extends InvalidMetadataException {
  public NotControllerException(String message) {
    super(message);
  }

  public NotControllerException(String message, Throwable cause) {
    super(message, cause);
  }
}
