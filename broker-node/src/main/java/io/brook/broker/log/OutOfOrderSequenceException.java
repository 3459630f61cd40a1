package io.brook.broker.log;

/**
 * An idempotent producer's batch does not continue its sequence (a gap, or a new producer epoch
 * that does not start at sequence 0). Nothing was appended.
 */
public class OutOfOrderSequenceException extends RuntimeException {
  public OutOfOrderSequenceException(String message) {
    super(message);
  }
}
