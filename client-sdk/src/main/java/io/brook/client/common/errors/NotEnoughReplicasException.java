package io.brook.client.common.errors;

/** The ISR is smaller than min.insync.replicas; nothing was appended (NOT_ENOUGH_REPLICAS). */
public class NotEnoughReplicasException extends RetriableException {
  public NotEnoughReplicasException(String message) {
    super(message);
  }

  public NotEnoughReplicasException(String message, Throwable cause) {
    super(message, cause);
  }
}
