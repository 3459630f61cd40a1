package io.brook.client.admin;

import io.brook.client.common.errors.BrookException;
import io.brook.common.TopicPartition;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The outcome of alterConsumerGroupOffsets: per partition, done or its error. */
public final class AlterConsumerGroupOffsetsResult extends PartitionResults {
  public AlterConsumerGroupOffsetsResult(
      CompletableFuture<Map<TopicPartition, BrookException>> future) {
    super(future);
  }
}
