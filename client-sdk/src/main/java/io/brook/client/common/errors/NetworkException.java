package io.brook.client.common.errors;

/** The connection to a broker failed or was closed before a response arrived. */
public class NetworkException extends RetriableException {
  public NetworkException(String message) {
    super(message);
  }

  public NetworkException(String message, Throwable cause) {
    super(message, cause);
  }
}
