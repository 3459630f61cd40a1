package io.brook.client.common.errors;

/** A topic configuration key is unknown or its value is not valid (INVALID_CONFIG). */
public class InvalidConfigurationException extends ApiException {
  public InvalidConfigurationException(String message) {
    super(message);
  }

  public InvalidConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
