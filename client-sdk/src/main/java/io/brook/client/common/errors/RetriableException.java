package io.brook.client.common.errors;

/** A failure that may not happen again if the same operation is retried later. */
public class RetriableException extends ApiException {
  public RetriableException(String message) {
    super(message);
  }

  public RetriableException(String message, Throwable cause) {
    super(message, cause);
  }
}
