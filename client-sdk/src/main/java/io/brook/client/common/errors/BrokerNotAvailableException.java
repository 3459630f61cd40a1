package io.brook.client.common.errors;

/** The broker is not available (BROKER_NOT_AVAILABLE). */
public class BrokerNotAvailableException extends InvalidMetadataException {
  public BrokerNotAvailableException(String message) {
    super(message);
  }

  public BrokerNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
