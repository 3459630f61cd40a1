package io.brook.broker.log;

/** A follower append does not continue at the log end offset, or its offsets are not increasing. */
public class UnexpectedAppendOffsetException extends RuntimeException {
  public UnexpectedAppendOffsetException(String message) {
    super(message);
  }

  public UnexpectedAppendOffsetException(String message, Throwable cause) {
    super(message, cause);
  }
}
