package io.brook.client.common.errors;

/** The producer sent a sequence number out of order (OUT_OF_ORDER_SEQUENCE_NUMBER). */
public class OutOfOrderSequenceException extends ApiException {
  public OutOfOrderSequenceException(String message) {
    super(message);
  }

  public OutOfOrderSequenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
