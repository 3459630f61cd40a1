package io.brook.client.admin;

import io.brook.client.common.errors.BrookException;
import io.brook.common.TopicPartition;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of deleteConsumerGroupOffsets: the future fails with a whole-request error
 * (GroupIdNotFoundException, GroupNotEmptyException, ...); else per partition, done or its error
 * (GroupSubscribedToTopicException, UnknownTopicOrPartitionException).
 */
public final class DeleteConsumerGroupOffsetsResult extends PartitionResults {
  public DeleteConsumerGroupOffsetsResult(
      CompletableFuture<Map<TopicPartition, BrookException>> future) {
    super(future);
  }
}
