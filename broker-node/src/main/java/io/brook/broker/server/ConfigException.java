package io.brook.broker.server;

/** A broker configuration that cannot be used; the message names the key and says what is wrong. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String key, Object value, String why) {
    super("Invalid value " + value + " for configuration " + key + ": " + why);
  }
}
