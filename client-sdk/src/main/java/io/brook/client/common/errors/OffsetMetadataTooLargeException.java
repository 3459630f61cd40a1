package io.brook.client.common.errors;

/** The commit's metadata is longer than offset.metadata.max.bytes (OFFSET_METADATA_TOO_LARGE). */
public class OffsetMetadataTooLargeException extends ApiException {
  public OffsetMetadataTooLargeException(String message) {
    super(message);
  }

  public OffsetMetadataTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
