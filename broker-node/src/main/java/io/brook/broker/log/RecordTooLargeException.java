package io.brook.broker.log;

/**
 * A record batch (or a whole produce request) is larger than {@code max.message.bytes} or {@code
 * segment.bytes} allows. Nothing was appended.
 */
public class RecordTooLargeException extends RuntimeException {
  public RecordTooLargeException(String message) {
    super(message);
  }

  public RecordTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
