package io.brook.broker.metrics;

import io.brook.common.TopicPartition;

/**
 * What the replica layer tells the metrics: traffic per topic and the ISR changes a leader got
 * committed. The replica manager and its partitions call it; {@link BrokerMetrics} counts.
 *
 * <p>Thread rules: called from any thread (request handlers, fetchers, purgatory completions),
 * sometimes under a partition's lock: implementations only increment counters, never block and
 * never throw.
 */
public interface ReplicaMetricsListener {
  ReplicaMetricsListener NONE = new ReplicaMetricsListener() {};

  /** A client's batches were appended to {@code topic} by its leader (produce). */
  default void onAppend(String topic, long bytes, long records) {}

  /** A consumer's fetch answer carried {@code bytes} / {@code records} of {@code topic}. */
  default void onFetch(String topic, long bytes, long records) {}

  /** This leader sent {@code bytes} of {@code topic} to a follower. */
  default void onReplicationBytesOut(String topic, long bytes) {}

  /** This follower appended {@code bytes} of {@code topic} fetched from its leader. */
  default void onReplicationBytesIn(String topic, long bytes) {}

  /** The controller committed a smaller ISR that this leader proposed for {@code tp}. */
  default void onIsrShrink(TopicPartition tp) {}

  /** The controller committed a larger ISR that this leader proposed for {@code tp}. */
  default void onIsrExpand(TopicPartition tp) {}
}
