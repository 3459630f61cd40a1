package io.brook.client.common.errors;

/** A request is larger than the broker accepts (RECORD_LIST_TOO_LARGE). */
public class RecordBatchTooLargeException extends ApiException {
  public RecordBatchTooLargeException(String message) {
    super(message);
  }

  public RecordBatchTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
