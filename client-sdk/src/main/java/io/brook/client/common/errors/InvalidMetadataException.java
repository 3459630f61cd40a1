package io.brook.client.common.errors;

/** The client's view of the cluster is out of date; refresh metadata and retry. */
public class InvalidMetadataException extends RetriableException {
  public InvalidMetadataException(String message) {
    super(message);
  }

  public InvalidMetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
