package io.brook.controller.zk;

/**
 * This controller is no longer the active one: its epoch is not the current {@code
 * /controller_epoch} (another controller was elected), or it resigned or lost its ZooKeeper
 * connection. Nothing was written.
 */
public class ControllerMovedException extends RuntimeException {
  public ControllerMovedException(String message) {
    super(message);
  }

  public ControllerMovedException(String message, Throwable cause) {
    super(message, cause);
  }
}
