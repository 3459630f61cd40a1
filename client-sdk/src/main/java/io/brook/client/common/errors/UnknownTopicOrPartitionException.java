package io.brook.client.common.errors;

/**
 * The topic or partition does not exist, or the broker does not know it yet
 * (UNKNOWN_TOPIC_OR_PARTITION).
 */
public class UnknownTopicOrPartitionException extends InvalidMetadataException {
  public UnknownTopicOrPartitionException(String message) {
    super(message);
  }

  public UnknownTopicOrPartitionException(String message, Throwable cause) {
    super(message, cause);
  }
}
