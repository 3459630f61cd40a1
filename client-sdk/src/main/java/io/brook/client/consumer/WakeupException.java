package io.brook.client.consumer;

import io.brook.client.common.errors.BrookException;

/** A blocking consumer call was interrupted by {@link Consumer#wakeup()}. */
public class WakeupException extends BrookException {
  public WakeupException() {
    super("The consumer was woken up");
  }
}
