package io.brook.client.producer.internals;

import io.brook.client.producer.Callback;
import io.brook.common.Header;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The records of one partition that travel together in one record batch.
 *
 * <p>Life: open (records appended under the partition deque's lock by sending threads) -> closed
 * ({@link #close()} by the sender thread when drained: the bytes are built once and never change,
 * so retries resend the same bytes) -> done ({@link #complete}, exactly once, by the sender thread,
 * or by a closing thread after the sender stopped). Fields other than the completion flag are only
 * touched under the deque lock while open, and only by the sender thread afterwards.
 */
public final class ProducerBatch {
  private static final Logger LOG = LogManager.getLogger(ProducerBatch.class);

  final TopicPartition topicPartition;
  final long createdMs;
  final int reservedBytes;
  private final RecordBatchBuilder builder;
  private final ProduceRequestResult result;
  private final List<FutureRecordMetadata> thunks = new ArrayList<>();
  private final AtomicBoolean completed = new AtomicBoolean();
  private final int batchSizeLimit;
  private ByteBuffer built;
  private ByteBuffer pooled;
  private volatile boolean completedOk;
  int attempts;
  long lastAttemptMs;
  boolean inRetry;
  private int recordCount;
  private long producerId = RecordBatch.NO_PRODUCER_ID;
  private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
  private int baseSequence = RecordBatch.NO_SEQUENCE;

  public ProducerBatch(
      TopicPartition tp, CompressionType codec, int batchSize, int reservedBytes, long nowMs) {
    this(tp, codec, batchSize, reservedBytes, nowMs, null);
  }

  /**
   * A batch writing into {@code pooled} (a batch.size buffer from the {@link BufferPool}, or null
   * for a buffer of its own), which {@link #reusableBuffer} hands back once the batch is
   * acknowledged.
   */
  public ProducerBatch(
      TopicPartition tp,
      CompressionType codec,
      int batchSize,
      int reservedBytes,
      long nowMs,
      ByteBuffer pooled) {
    this.topicPartition = tp;
    this.createdMs = nowMs;
    this.lastAttemptMs = nowMs;
    this.reservedBytes = reservedBytes;
    this.batchSizeLimit = batchSize;
    this.pooled = pooled;
    this.builder =
        pooled != null
            ? new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, 0L, pooled)
            : new RecordBatchBuilder(
                codec,
                TimestampType.CREATE_TIME,
                0L,
                Math.max(256, Math.min(batchSize, reservedBytes)));
    this.result = new ProduceRequestResult(tp);
  }

  /**
   * The pooled buffer this batch wrote into, once, if it may be reused: the batch completed
   * successfully (so the broker got its bytes: no request still to be serialized reads them) and
   * never outgrew the buffer. Null otherwise, also on every later call.
   */
  ByteBuffer reusableBuffer() {
    ByteBuffer b = pooled;
    pooled = null;
    return b != null && completedOk && builder.writesInto(b) ? b : null;
  }

  /**
   * Appends the record when it fits within batch.size (always when empty).
   *
   * @return the record's future, or null when the batch is full
   */
  public FutureRecordMetadata tryAppend(
      long timestamp, byte[] key, byte[] value, Header[] headers, Callback callback) {
    if (!builder.hasRoomFor(timestamp, key, value, headers, batchSizeLimit)) {
      return null;
    }
    builder.append(timestamp, key, value, headers);
    FutureRecordMetadata f =
        new FutureRecordMetadata(
            result,
            recordCount++,
            timestamp,
            key == null ? -1 : key.length,
            value == null ? -1 : value.length,
            callback);
    thunks.add(f);
    return f;
  }

  /** True once batch.size is reached (or the batch was built). */
  public boolean isFull() {
    return built != null || builder.estimatedSizeInBytes() >= batchSizeLimit;
  }

  public int recordCount() {
    return recordCount;
  }

  public int estimatedSizeInBytes() {
    return built != null ? built.remaining() : builder.estimatedSizeInBytes();
  }

  /** Builds the batch's bytes (once); later calls return the same bytes. */
  public ByteBuffer close() {
    if (built == null) {
      built = builder.build();
    }
    return built.duplicate();
  }

  /**
   * Stamps the idempotent producer's id, epoch and the batch's first sequence number. Before the
   * batch is built they go into the builder; afterwards (a retried batch that must move to a new
   * producer id) the header fields are rewritten in place and the CRC recomputed. Sender thread
   * only, and never while the bytes are on the wire.
   */
  void setProducerState(long producerId, short producerEpoch, int baseSequence) {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    if (built == null) {
      builder.setProducerId(producerId);
      builder.setProducerEpoch(producerEpoch);
      builder.setBaseSequence(baseSequence);
    } else {
      ByteBuffer b = built.duplicate().order(ByteOrder.BIG_ENDIAN);
      b.putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId);
      b.putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
      b.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
      b.putInt(RecordBatch.CRC_OFFSET, (int) RecordBatch.wrap(built.duplicate()).computeChecksum());
    }
  }

  public boolean hasSequence() {
    return baseSequence != RecordBatch.NO_SEQUENCE;
  }

  public int baseSequence() {
    return baseSequence;
  }

  /** The sequence number of the last record (wrapping past Integer.MAX_VALUE as Kafka's). */
  public int lastSequence() {
    return IdempotenceManager.incrementSequence(baseSequence, recordCount - 1);
  }

  public long producerId() {
    return producerId;
  }

  public short producerEpoch() {
    return producerEpoch;
  }

  public boolean isClosed() {
    return built != null;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public ProduceRequestResult result() {
    return result;
  }

  public boolean isDone() {
    return completed.get();
  }

  /** Milliseconds since creation beyond {@code deliveryTimeoutMs}, i.e. true when expired. */
  public boolean hasReachedDeliveryTimeout(long deliveryTimeoutMs, long nowMs) {
    return nowMs - createdMs >= deliveryTimeoutMs;
  }

  /**
   * Completes every record of the batch, once: sets the result, runs the callbacks in append order
   * (a throwing callback is logged and does not stop the others), then releases the futures.
   *
   * @return false when the batch had already completed
   */
  public boolean complete(long baseOffset, long logAppendTime, RuntimeException error) {
    if (!completed.compareAndSet(false, true)) {
      return false;
    }
    completedOk = error == null;
    result.set(baseOffset, logAppendTime, error);
    for (FutureRecordMetadata f : thunks) {
      if (f.callback != null) {
        try {
          if (error == null) {
            f.callback.onCompletion(f.metadata(), null);
          } else {
            f.callback.onCompletion(f.metadata(), error);
          }
        } catch (RuntimeException e) {
          LOG.error(
              "Error executing user-provided callback on message for topic-partition '{}'",
              topicPartition,
              e);
        }
      }
    }
    result.done();
    return true;
  }

  @Override
  public String toString() {
    return "ProducerBatch(topicPartition="
        + topicPartition
        + ", recordCount="
        + recordCount
        + (hasSequence()
            ? ", producerId=" + producerId + ", epoch=" + producerEpoch + ", seq=" + baseSequence
            : "")
        + ")";
  }
}
