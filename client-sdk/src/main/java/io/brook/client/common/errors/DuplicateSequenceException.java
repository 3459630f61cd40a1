package io.brook.client.common.errors;

/** The batch was already appended (DUPLICATE_SEQUENCE_NUMBER). */
public class DuplicateSequenceException extends ApiException {
  public DuplicateSequenceException(String message) {
    super(message);
  }

  public DuplicateSequenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
