package io.brook.client.common.errors;

/** The broker does not implement the call the client needs. */
public class UnsupportedVersionException extends ApiException {
  public UnsupportedVersionException(String message) {
    super(message);
  }

  public UnsupportedVersionException(String message, Throwable cause) {
    super(message, cause);
  }
}
