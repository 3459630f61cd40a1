package io.brook.client.common.errors;

/** The write was appended but the ISR shrank below min.insync.replicas before it was replicated. */
public class NotEnoughReplicasAfterAppendException extends RetriableException {
  public NotEnoughReplicasAfterAppendException(String message) {
    super(message);
  }

  public NotEnoughReplicasAfterAppendException(String message, Throwable cause) {
    super(message, cause);
  }
}
