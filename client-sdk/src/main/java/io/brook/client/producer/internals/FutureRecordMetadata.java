package io.brook.client.producer.internals;

import io.brook.client.producer.Callback;
import io.brook.client.producer.RecordMetadata;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The future of one sent record, and its callback: the only object the producer allocates per
 * record besides the record's bytes. Completed through its batch's {@link ProduceRequestResult}.
 * Thread-safe.
 */
public final class FutureRecordMetadata implements Future<RecordMetadata> {
  private final ProduceRequestResult result;
  private final int batchIndex;
  private final long createTimestamp;
  private final int serializedKeySize;
  private final int serializedValueSize;
  final Callback callback;
  private volatile RecordMetadata value;

  public FutureRecordMetadata(
      ProduceRequestResult result,
      int batchIndex,
      long createTimestamp,
      int serializedKeySize,
      int serializedValueSize,
      Callback callback) {
    this.result = result;
    this.batchIndex = batchIndex;
    this.createTimestamp = createTimestamp;
    this.serializedKeySize = serializedKeySize;
    this.serializedValueSize = serializedValueSize;
    this.callback = callback;
  }

  @Override
  public boolean cancel(boolean interrupt) {
    return false;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public boolean isDone() {
    return result.completed();
  }

  @Override
  public RecordMetadata get() throws InterruptedException, ExecutionException {
    result.await();
    return valueOrError();
  }

  @Override
  public RecordMetadata get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    if (!result.await(timeout, unit)) {
      throw new java.util.concurrent.TimeoutException(
          "Timeout after waiting for " + unit.toMillis(timeout) + " ms.");
    }
    return valueOrError();
  }

  private RecordMetadata valueOrError() throws ExecutionException {
    RuntimeException e = result.error();
    if (e != null) {
      throw new ExecutionException(e);
    }
    return metadata();
  }

  /** The metadata once the batch completed (offset -1 when unknown). */
  RecordMetadata metadata() {
    RecordMetadata v = value;
    if (v == null) {
      long ts = result.logAppendTime() == -1 ? createTimestamp : result.logAppendTime();
      v =
          new RecordMetadata(
              result.topicPartition(),
              result.baseOffset(),
              batchIndex,
              ts,
              serializedKeySize,
              serializedValueSize);
      value = v;
    }
    return v;
  }
}
