package io.brook.client.producer;

import io.brook.client.common.Cluster;
import io.brook.client.common.PartitionInfo;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spreads records over partitions in turn, keyed or not, preferring partitions that have a leader.
 * Thread-safe.
 */
public class RoundRobinPartitioner implements Partitioner {
  private final ConcurrentMap<String, AtomicInteger> counters = new ConcurrentHashMap<>();

  @Override
  public int partition(
      String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
    int numPartitions = cluster.partitionsForTopic(topic).size();
    int next = counters.computeIfAbsent(topic, t -> new AtomicInteger(0)).getAndIncrement();
    List<PartitionInfo> available = cluster.availablePartitionsForTopic(topic);
    if (!available.isEmpty()) {
      return available.get(toPositive(next) % available.size()).partition();
    }
    return toPositive(next) % numPartitions;
  }

  private static int toPositive(int n) {
    return n & 0x7fffffff;
  }
}
