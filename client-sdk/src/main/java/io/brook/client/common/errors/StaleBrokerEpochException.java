package io.brook.client.common.errors;

/** A request carried an older broker epoch (STALE_BROKER_EPOCH). */
public class StaleBrokerEpochException extends ApiException {
  public StaleBrokerEpochException(String message) {
    super(message);
  }

  public StaleBrokerEpochException(String message, Throwable cause) {
    super(message, cause);
  }
}
