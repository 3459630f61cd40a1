package io.brook.client.consumer;

import io.brook.client.common.PartitionInfo;
import io.brook.common.TopicPartition;
import java.io.Closeable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client that reads records, as Kafka's {@code Consumer}. Manual assignment only for now: {@link
 * #subscribe} and consumer groups come in a later version. Not thread-safe: one thread uses a
 * consumer.
 */
public interface Consumer<K, V> extends Closeable {
  /** Replaces the assignment; positions of partitions still assigned are kept. */
  void assign(Collection<TopicPartition> partitions);

  Set<TopicPartition> assignment();

  /**
   * Not supported yet.
   *
   * @throws UnsupportedOperationException always
   */
  void subscribe(Collection<String> topics);

  /** Clears the assignment. */
  void unsubscribe();

  /**
   * Returns the records fetched since the last poll (at most max.poll.records), waiting up to
   * {@code timeout} for some when none are buffered.
   */
  ConsumerRecords<K, V> poll(Duration timeout);

  void seek(TopicPartition partition, long offset);

  void seekToBeginning(Collection<TopicPartition> partitions);

  void seekToEnd(Collection<TopicPartition> partitions);

  /** The offset of the next record poll() will return for {@code partition}. */
  long position(TopicPartition partition);

  long position(TopicPartition partition, Duration timeout);

  List<PartitionInfo> partitionsFor(String topic);

  List<PartitionInfo> partitionsFor(String topic, Duration timeout);

  Map<String, List<PartitionInfo>> listTopics();

  Map<String, List<PartitionInfo>> listTopics(Duration timeout);

  /**
   * For each partition, the earliest offset whose timestamp is at least the given one (null when
   * there is none).
   */
  Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps);

  Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> timestamps, Duration timeout);

  Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions);

  Map<TopicPartition, Long> beginningOffsets(
      Collection<TopicPartition> partitions, Duration timeout);

  /** The high watermarks: the offset after the last record a consumer can read. */
  Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions);

  Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout);

  /** Interrupts a poll() that is waiting, from any thread; it throws a WakeupException. */
  void wakeup();

  @Override
  void close();

  void close(Duration timeout);
}
