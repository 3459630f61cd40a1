package io.brook.client.common.errors;

/**
 * The broker has no state for the producer id (UNKNOWN_PRODUCER_ID); as in Kafka, a kind of {@link
 * OutOfOrderSequenceException}.
 */
public class UnknownProducerIdException extends OutOfOrderSequenceException {
  public UnknownProducerIdException(String message) {
    super(message);
  }

  public UnknownProducerIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
