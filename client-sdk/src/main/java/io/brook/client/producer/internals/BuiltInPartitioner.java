package io.brook.client.producer.internals;

import io.brook.client.common.Cluster;
import io.brook.client.common.PartitionInfo;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntUnaryOperator;

/**
 * The default partitioning: a keyed record goes to {@code toPositive(murmur2(keyBytes)) %
 * numPartitions}, exactly as Kafka computes it, so that the same keys land on the same partition
 * numbers; a record without key goes to the topic's current sticky partition, which changes when
 * its batch is complete (the accumulator reports a new batch would be needed).
 *
 * <p>Thread-safe: the sticky choice per topic is a concurrent map entry.
 */
public final class BuiltInPartitioner {
  private final ConcurrentMap<String, Integer> sticky = new ConcurrentHashMap<>();
  private final IntUnaryOperator random;

  /**
   * @param random returns a number in [0, bound) for a bound: injected so tests are deterministic
   */
  public BuiltInPartitioner(IntUnaryOperator random) {
    this.random = random;
  }

  /** Kafka's partition for a serialized key. */
  public static int partitionForKey(byte[] keyBytes, int numPartitions) {
    return toPositive(murmur2(keyBytes)) % numPartitions;
  }

  /** The sticky partition of {@code topic}, choosing one if there is none yet. */
  public int stickyPartition(String topic, Cluster cluster) {
    Integer p = sticky.get(topic);
    if (p != null) {
      return p;
    }
    return nextPartition(topic, cluster, -1);
  }

  /**
   * Moves the sticky partition of {@code topic} away from {@code prevPartition} (if it is still the
   * current one), preferring partitions that have a leader.
   */
  public int nextPartition(String topic, Cluster cluster, int prevPartition) {
    Integer old = sticky.get(topic);
    if (old != null && old != prevPartition) {
      return old; // another thread already switched
    }
    List<PartitionInfo> available = cluster.availablePartitionsForTopic(topic);
    int next;
    if (available.isEmpty()) {
      int n = cluster.partitionsForTopic(topic).size();
      next = random.applyAsInt(n);
    } else if (available.size() == 1) {
      next = available.get(0).partition();
    } else {
      do {
        next = available.get(random.applyAsInt(available.size())).partition();
      } while (next == prevPartition);
    }
    if (old == null) {
      Integer raced = sticky.putIfAbsent(topic, next);
      return raced != null ? raced : next;
    }
    return sticky.replace(topic, old, next) ? next : sticky.get(topic);
  }

  /** Kafka's 32-bit murmur2 ({@code org.apache.kafka.common.utils.Utils.murmur2}), bit for bit. */
  public static int murmur2(final byte[] data) {
    int length = data.length;
    int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      final int i4 = i * 4;
      int k =
          (data[i4 + 0] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    switch (length % 4) {
      case 3:
        h ^= (data[(length & ~3) + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[(length & ~3) + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[length & ~3] & 0xff;
        h *= m;
      // fall through
      default:
        break;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }

  /** Kafka's {@code Utils.toPositive}: clears the sign bit (not Math.abs). */
  public static int toPositive(int number) {
    return number & 0x7fffffff;
  }
}
