package io.brook.broker.log.internals;

import java.nio.ByteBuffer;

/**
 * The cleaner's map from a record key to the offset of the latest record with that key in the dirty
 * section of a log (Kafka's OffsetMap). Keys may be stored as digests, so two keys may collide
 * (with the probability of a digest collision).
 *
 * <p>Not thread-safe: one cleaner thread owns a map.
 */
public interface OffsetMap {
  /** How many distinct keys the map can hold. */
  int slots();

  /**
   * Records {@code offset} as the latest offset of {@code key} (offsets are put in increasing
   * order, so a later put wins).
   *
   * @throws IllegalStateException when a new key does not fit
   */
  void put(ByteBuffer key, long offset);

  /** The latest offset recorded for {@code key}, or -1. */
  long get(ByteBuffer key);

  /** Forgets every key. */
  void clear();

  /** Distinct keys held. */
  int size();

  /** The largest offset put since the last clear, or -1. */
  long latestOffset();

  /** Whether another distinct key fits. */
  default boolean isFull() {
    return size() >= slots();
  }
}
