package io.brook.client.common.errors;

/** The group is rebalancing (REBALANCE_IN_PROGRESS). */
public class RebalanceInProgressException extends ApiException {
  public RebalanceInProgressException(String message) {
    super(message);
  }

  public RebalanceInProgressException(String message, Throwable cause) {
    super(message, cause);
  }
}
