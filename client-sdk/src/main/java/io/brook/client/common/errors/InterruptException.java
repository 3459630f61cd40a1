package io.brook.client.common.errors;

/**
 * The calling thread was interrupted while blocked in a client call; its interrupt flag is set
 * again.
 */
public class InterruptException extends BrookException {
  public InterruptException(String message) {
    super(message);
  }

  public InterruptException(String message, Throwable cause) {
    super(message, cause);
  }
}
