package io.brook.client.common.errors;

/**
 * The replication factor is below 1 or above the number of live brokers
 * (INVALID_REPLICATION_FACTOR).
 */
public class InvalidReplicationFactorException extends ApiException {
  public InvalidReplicationFactorException(String message) {
    super(message);
  }

  public InvalidReplicationFactorException(String message, Throwable cause) {
    super(message, cause);
  }
}
