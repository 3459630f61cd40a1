package io.brook.client.consumer;

import io.brook.client.common.errors.ApiException;

/**
 * A commit could not complete because the group rebalanced and the partitions may be owned by
 * another member now (the consumer's generation is stale, or it was removed from the group). Not
 * retriable: rejoin (poll) and consume from the committed offsets.
 */
public class CommitFailedException extends ApiException {
  public CommitFailedException(String message) {
    super(message);
  }

  public CommitFailedException() {
    this(
        "Commit cannot be completed since the group has already rebalanced and assigned the"
            + " partitions to another member. This means that the time between subsequent calls"
            + " to poll() was longer than the configured max.poll.interval.ms, which typically"
            + " implies that the poll loop is spending too much time message processing. You can"
            + " address this either by increasing max.poll.interval.ms or by reducing the maximum"
            + " size of batches returned in poll() with max.poll.records.");
  }
}
