package io.brook.broker.replica;

import io.brook.protocol.v1.ErrorCode;

/**
 * A per-partition failure that belongs in the response as an error code (not leader, unknown
 * partition, fenced epoch, not enough replicas...), with a message saying what was wrong.
 */
public class ApiException extends RuntimeException {
  private final ErrorCode code;

  public ApiException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
