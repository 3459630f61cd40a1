package io.brook.client.common.errors;

/** An error reported by a broker for one request, topic or partition. */
public class ApiException extends BrookException {
  public ApiException(String message) {
    super(message);
  }

  public ApiException(String message, Throwable cause) {
    super(message, cause);
  }
}
