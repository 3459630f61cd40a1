package io.brook.client.common.errors;

/** The stream to a broker was closed while requests were in flight. */
public class DisconnectException extends NetworkException {
  public DisconnectException(String message) {
    super(message);
  }

  public DisconnectException(String message, Throwable cause) {
    super(message, cause);
  }
}
