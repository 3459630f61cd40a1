package io.brook.client.common.errors;

/**
 * The leader cannot answer for the offset yet, for example while its high watermark catches up
 * after an election (OFFSET_NOT_AVAILABLE).
 */
public class OffsetNotAvailableException extends RetriableException {
  public OffsetNotAvailableException(String message) {
    super(message);
  }

  public OffsetNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
