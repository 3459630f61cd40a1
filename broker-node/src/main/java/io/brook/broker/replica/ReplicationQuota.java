package io.brook.broker.replica;

import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.metadata.config.ThrottledReplicas;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A replication byte-rate quota of one broker, one direction (leader: bytes sent to out-of-ISR
 * followers; follower: bytes fetched): which partitions are throttled (from the topics' {@code
 * leader.replication.throttled.replicas} / {@code follower.replication.throttled.replicas}, for
 * this broker's id) and the rate ({@code leader.replication.throttled.rate} / {@code
 * follower.replication.throttled.rate}), both changed live.
 *
 * <p>A token bucket on the injected {@link Time}: tokens refill at {@code rate} bytes/s up to one
 * second's worth; {@link #record} takes the bytes sent (the bucket may go negative, as Kafka's
 * quota overshoots by one fetch); while the bucket is empty {@link #isQuotaExceeded} is true and
 * callers skip throttled partitions for a round instead of blocking. Over any interval the bytes
 * recorded are at most {@code rate * seconds + one second's burst + one fetch}. {@link
 * Long#MAX_VALUE} is unlimited.
 *
 * <p>For tests and metrics it counts the bytes recorded and, per partition, the rounds a partition
 * was skipped. Thread-safe.
 */
public final class ReplicationQuota {
  private static final Logger log = LogManager.getLogger(ReplicationQuota.class);

  /** No throttling at all. */
  public static ReplicationQuota unlimited(String name, int brokerId, Time time) {
    return new ReplicationQuota(name, brokerId, time, Long.MAX_VALUE);
  }

  private final String name;
  private final int brokerId;
  private final Time time;
  private final Map<String, ThrottledReplicas> throttled = new ConcurrentHashMap<>();
  private final Map<TopicPartition, AtomicLong> skips = new ConcurrentHashMap<>();
  private final AtomicLong recordedBytes = new AtomicLong();

  // @GuardedBy("this")
  private long rate;
  // @GuardedBy("this")
  private double tokens;
  // @GuardedBy("this")
  private long lastRefillNanos;

  public ReplicationQuota(String name, int brokerId, Time time, long rateBytesPerSec) {
    this.name = name;
    this.brokerId = brokerId;
    this.time = time;
    this.rate = rateBytesPerSec;
    this.tokens = rateBytesPerSec;
    this.lastRefillNanos = time.nanoseconds();
  }

  /**
   * Changes the rate (bytes/s; {@link Long#MAX_VALUE} = unlimited); the bucket keeps its tokens up
   * to one second of the new rate, a debt is forgiven.
   */
  public synchronized void updateRate(long rateBytesPerSec) {
    if (rateBytesPerSec == rate) {
      return;
    }
    log.info(
        "Broker {}: {} replication throttle rate is now {}",
        brokerId,
        name,
        rateBytesPerSec == Long.MAX_VALUE ? "unlimited" : rateBytesPerSec + " bytes/s");
    rate = rateBytesPerSec;
    tokens = Math.min((double) rateBytesPerSec, Math.max(tokens, 0));
    lastRefillNanos = time.nanoseconds();
  }

  public synchronized long rate() {
    return rate;
  }

  /**
   * Sets the throttled replicas of a topic (its whole list; {@link ThrottledReplicas#NONE} clears).
   */
  public void updateTopic(String topic, ThrottledReplicas replicas) {
    ThrottledReplicas old =
        replicas.isEmpty() ? throttled.remove(topic) : throttled.put(topic, replicas);
    if (!replicas.equals(old == null ? ThrottledReplicas.NONE : old)) {
      log.info(
          "Broker {}: {} replication throttle of topic {} is now [{}]",
          brokerId,
          name,
          topic,
          replicas);
    }
  }

  public void removeTopic(String topic) {
    updateTopic(topic, ThrottledReplicas.NONE);
  }

  /** Whether this broker's replica of {@code tp} is throttled in this direction. */
  public boolean isThrottled(TopicPartition tp) {
    ThrottledReplicas t = throttled.get(tp.topic());
    return t != null && t.applies(tp.partition(), brokerId);
  }

  /** Whether the bucket is empty now (never with an unlimited rate). */
  public synchronized boolean isQuotaExceeded() {
    if (rate == Long.MAX_VALUE) {
      return false;
    }
    refill();
    return tokens <= 0;
  }

  /** Takes {@code bytes} sent or fetched for a throttled partition. */
  public synchronized void record(long bytes) {
    if (bytes <= 0) {
      return;
    }
    recordedBytes.addAndGet(bytes);
    if (rate == Long.MAX_VALUE) {
      return;
    }
    refill();
    tokens -= bytes;
  }

  /** Milliseconds until the bucket holds a token again (0 when it does). */
  public synchronized long throttleTimeMs() {
    if (rate == Long.MAX_VALUE) {
      return 0;
    }
    refill();
    if (tokens > 0) {
      return 0;
    }
    return Math.max(1, (long) Math.ceil((-tokens + 1) * 1000.0 / Math.max(rate, 1)));
  }

  /** Counts a round in which {@code tp} was skipped because the quota was exhausted. */
  public void recordSkip(TopicPartition tp) {
    skips.computeIfAbsent(tp, k -> new AtomicLong()).incrementAndGet();
  }

  /** Rounds {@code tp} was skipped so far. */
  public long skips(TopicPartition tp) {
    AtomicLong n = skips.get(tp);
    return n == null ? 0 : n.get();
  }

  /** Bytes recorded so far for throttled partitions. */
  public long recordedBytes() {
    return recordedBytes.get();
  }

  /**
   * The combined check of one partition for one round: throttled and the quota exhausted (then the
   * skip is counted).
   */
  public boolean shouldSkip(TopicPartition tp) {
    if (!isThrottled(tp) || !isQuotaExceeded()) {
      return false;
    }
    recordSkip(tp);
    return true;
  }

  // @GuardedBy("this")
  private void refill() {
    long now = time.nanoseconds();
    long elapsed = now - lastRefillNanos;
    if (elapsed <= 0) {
      return;
    }
    lastRefillNanos = now;
    tokens = Math.min((double) rate, tokens + elapsed * (double) rate / 1_000_000_000L);
  }

  @Override
  public String toString() {
    return "ReplicationQuota(" + name + ", broker " + brokerId + ", rate " + rate + ")";
  }
}
