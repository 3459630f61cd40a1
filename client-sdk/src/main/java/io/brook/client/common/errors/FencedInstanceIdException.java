package io.brook.client.common.errors;

/**
 * Another member joined with this group.instance.id: this static member is fenced
 * (FENCED_INSTANCE_ID).
 */
public class FencedInstanceIdException extends ApiException {
  public FencedInstanceIdException(String message) {
    super(message);
  }

  public FencedInstanceIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
