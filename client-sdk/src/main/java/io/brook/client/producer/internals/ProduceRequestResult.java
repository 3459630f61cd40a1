package io.brook.client.producer.internals;

import io.brook.common.TopicPartition;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The outcome of one batch, shared by the futures of its records: set once by the sender thread
 * ({@link #set} then {@link #done}), read by any thread after {@link #await}. Thread-safe through
 * the latch's happens-before.
 */
public final class ProduceRequestResult {
  private final TopicPartition topicPartition;
  private final CountDownLatch latch = new CountDownLatch(1);
  private volatile long baseOffset = -1L;
  private volatile long logAppendTime = -1L;
  private volatile RuntimeException error;

  public ProduceRequestResult(TopicPartition topicPartition) {
    this.topicPartition = topicPartition;
  }

  public void set(long baseOffset, long logAppendTime, RuntimeException error) {
    this.baseOffset = baseOffset;
    this.logAppendTime = logAppendTime;
    this.error = error;
  }

  public void done() {
    latch.countDown();
  }

  public void await() throws InterruptedException {
    latch.await();
  }

  public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    return latch.await(timeout, unit);
  }

  public boolean completed() {
    return latch.getCount() == 0L;
  }

  public long baseOffset() {
    return baseOffset;
  }

  public long logAppendTime() {
    return logAppendTime;
  }

  /** The error of the batch, or null on success. */
  public RuntimeException error() {
    return error;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }
}
