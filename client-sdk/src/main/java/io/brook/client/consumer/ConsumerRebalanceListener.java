package io.brook.client.consumer;

import io.brook.common.TopicPartition;
import java.util.Collection;

/**
 * Callbacks around a rebalance of a subscribed consumer, as Kafka's {@code
 * ConsumerRebalanceListener}. They run in the thread that calls {@link Consumer#poll} (never in a
 * background thread), so they may call the consumer, for example to commit offsets in {@link
 * #onPartitionsRevoked}.
 *
 * <p>With the eager protocol ({@code range}, {@code roundrobin}, {@code sticky}) every owned
 * partition is revoked before each rebalance; with {@code cooperative-sticky} only the partitions
 * that move to another member are.
 */
public interface ConsumerRebalanceListener {
  /** Partitions this consumer stops owning; commit their offsets here. */
  void onPartitionsRevoked(Collection<TopicPartition> partitions);

  /** Partitions this consumer now owns (with cooperative rebalancing: only the new ones). */
  void onPartitionsAssigned(Collection<TopicPartition> partitions);

  /**
   * Partitions already owned by others, because this consumer dropped out of the group (session
   * timeout, fenced). Offsets cannot be committed any more. By default same as revoked.
   */
  default void onPartitionsLost(Collection<TopicPartition> partitions) {
    onPartitionsRevoked(partitions);
  }
}
