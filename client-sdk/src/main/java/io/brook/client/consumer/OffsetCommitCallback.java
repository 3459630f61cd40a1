package io.brook.client.consumer;

import io.brook.common.TopicPartition;
import java.util.Map;

/**
 * Completion of {@link Consumer#commitAsync}, called from a later {@code poll} or {@code commit}.
 */
@FunctionalInterface
public interface OffsetCommitCallback {
  /**
   * @param offsets the offsets that were to be committed
   * @param exception null on success; otherwise why the commit failed ({@link
   *     CommitFailedException} when the group rebalanced, {@link RetriableCommitFailedException}
   *     when retrying may succeed)
   */
  void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception);
}
