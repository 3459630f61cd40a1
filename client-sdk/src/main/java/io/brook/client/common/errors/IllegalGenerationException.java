package io.brook.client.common.errors;

/** The group generation is not the current one (ILLEGAL_GENERATION). */
public class IllegalGenerationException extends ApiException {
  public IllegalGenerationException(String message) {
    super(message);
  }

  public IllegalGenerationException(String message, Throwable cause) {
    super(message, cause);
  }
}
