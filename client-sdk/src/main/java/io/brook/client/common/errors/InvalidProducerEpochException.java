package io.brook.client.common.errors;

/** The batch carried a producer epoch older than the broker's (INVALID_PRODUCER_EPOCH). */
public class InvalidProducerEpochException extends ApiException {
  public InvalidProducerEpochException(String message) {
    super(message);
  }

  public InvalidProducerEpochException(String message, Throwable cause) {
    super(message, cause);
  }
}
