package io.brook.client.common.errors;

/** The root of every exception the Brook client throws for a failed operation. */
public class BrookException extends RuntimeException {
  public BrookException(String message) {
    super(message);
  }

  public BrookException(String message, Throwable cause) {
    super(message, cause);
  }

  public BrookException(Throwable cause) {
    super(cause);
  }
}
