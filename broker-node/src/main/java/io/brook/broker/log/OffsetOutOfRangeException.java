package io.brook.broker.log;

/** A read asked for an offset below the log start offset or above the log end offset. */
public class OffsetOutOfRangeException extends RuntimeException {
  public OffsetOutOfRangeException(String message) {
    super(message);
  }

  public OffsetOutOfRangeException(String message, Throwable cause) {
    super(message, cause);
  }
}
