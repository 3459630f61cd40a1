package io.brook.client.common.errors;

/**
 * The requested offset is outside the range of offsets the partition holds (OFFSET_OUT_OF_RANGE).
 */
public class OffsetOutOfRangeException extends ApiException {
  public OffsetOutOfRangeException(String message) {
    super(message);
  }

  public OffsetOutOfRangeException(String message, Throwable cause) {
    super(message, cause);
  }
}
