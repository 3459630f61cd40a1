package io.brook.client.common.errors;

/** auto.offset.reset=none and a partition has no position. */
public class NoOffsetForPartitionException extends BrookException {
  public NoOffsetForPartitionException(String message) {
    super(message);
  }

  public NoOffsetForPartitionException(String message, Throwable cause) {
    super(message, cause);
  }
}
