package io.brook.client.common.errors;

/** A record or batch is larger than the broker or producer accepts (RECORD_TOO_LARGE). */
public class RecordTooLargeException extends ApiException {
  public RecordTooLargeException(String message) {
    super(message);
  }

  public RecordTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
