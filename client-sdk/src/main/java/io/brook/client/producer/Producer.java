package io.brook.client.producer;

import io.brook.client.common.PartitionInfo;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

/** A client that publishes records, as Kafka's {@code Producer}. */
public interface Producer<K, V> extends Closeable {
  /** Sends asynchronously; same as {@code send(record, null)}. */
  Future<RecordMetadata> send(ProducerRecord<K, V> record);

  /**
   * Appends the record to a batch and returns at once, unless the buffer is full or the topic's
   * metadata is unknown: then it blocks up to {@code max.block.ms} and fails with a
   * TimeoutException. The future and the callback complete when the broker acknowledged the record
   * (per {@code acks}) or when it failed for good (retries exhausted, non-retriable error, or
   * {@code delivery.timeout.ms} passed).
   */
  Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback);

  /** Makes every buffered record sendable at once and waits until each has completed. */
  void flush();

  /** The partitions of {@code topic}, fetching metadata (up to max.block.ms) when needed. */
  List<PartitionInfo> partitionsFor(String topic);

  /** Same as {@code close(Duration.ofMillis(Long.MAX_VALUE))}. */
  @Override
  void close();

  /**
   * Sends what is buffered and waits up to {@code timeout} for it to complete; records still
   * pending after that fail. Idempotent.
   */
  void close(Duration timeout);
}
