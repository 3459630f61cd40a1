package io.brook.metadata.zk;

/** A broker could not register: its id is taken by a live broker, or ZooKeeper failed. */
public class BrokerRegistrationException extends RuntimeException {
  public BrokerRegistrationException(String message) {
    super(message);
  }

  public BrokerRegistrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
