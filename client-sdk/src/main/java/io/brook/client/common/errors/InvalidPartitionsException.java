package io.brook.client.common.errors;

/** The number of partitions is not valid (INVALID_PARTITIONS). */
public class InvalidPartitionsException extends ApiException {
  public InvalidPartitionsException(String message) {
    super(message);
  }

  public InvalidPartitionsException(String message, Throwable cause) {
    super(message, cause);
  }
}
