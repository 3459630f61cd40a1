package io.brook.client.common.errors;

/** A manual replica assignment is not valid (INVALID_REPLICA_ASSIGNMENT). */
public class InvalidReplicaAssignmentException extends ApiException {
  public InvalidReplicaAssignmentException(String message) {
    super(message);
  }

  public InvalidReplicaAssignmentException(String message, Throwable cause) {
    super(message, cause);
  }
}
