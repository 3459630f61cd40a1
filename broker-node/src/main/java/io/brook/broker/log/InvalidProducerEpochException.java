package io.brook.broker.log;

/**
 * An idempotent producer's batch carries an epoch older than the one the log last saw for that
 * producer id (the producer was fenced by a newer instance). Nothing was appended.
 */
public class InvalidProducerEpochException extends RuntimeException {
  public InvalidProducerEpochException(String message) {
    super(message);
  }
}
