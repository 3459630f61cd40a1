package io.brook.client.consumer;

import io.brook.client.common.errors.RetriableException;

/** An asynchronous commit failed for a reason that retrying may fix (the coordinator moved). */
public class RetriableCommitFailedException extends RetriableException {
  public RetriableCommitFailedException(String message) {
    super(message);
  }

  public RetriableCommitFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
