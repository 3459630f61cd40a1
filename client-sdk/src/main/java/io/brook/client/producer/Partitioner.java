package io.brook.client.producer;

import io.brook.client.common.Cluster;
import java.io.Closeable;
import java.util.Map;

/**
 * Chooses the partition of a record that has none. Configured by {@code partitioner.class} (a
 * public no-argument constructor is needed). Called from the threads that call send(), so
 * implementations must be thread-safe.
 */
public interface Partitioner extends Closeable {
  default void configure(Map<String, ?> configs) {}

  /**
   * @param keyBytes the serialized key, or null
   * @param valueBytes the serialized value, or null
   * @return a partition number in [0, partition count)
   */
  int partition(
      String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster);

  @Override
  default void close() {}

  /**
   * Called when the record that {@link #partition} placed would start a new batch; a sticky
   * partitioner switches partition here (the record is then partitioned again).
   */
  default void onNewBatch(String topic, Cluster cluster, int prevPartition) {}
}
