package io.brook.client.common.errors;

/** The log directory holding the partition failed on the broker (KAFKA_STORAGE_ERROR). */
public class StorageException extends InvalidMetadataException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
