package io.brook.client.common.errors;

/** A request carried an older controller epoch (STALE_CONTROLLER_EPOCH). */
public class StaleControllerEpochException extends ApiException {
  public StaleControllerEpochException(String message) {
    super(message);
  }

  public StaleControllerEpochException(String message, Throwable cause) {
    super(message, cause);
  }
}
