package io.brook.client.common.errors;

/** A client configuration value is missing or not valid. */
public class ConfigException extends BrookException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
