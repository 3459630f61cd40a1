package io.brook.protocol.record;

import io.brook.common.Header;
import io.brook.protocol.record.internals.ByteBufferOutputStream;
import io.brook.protocol.record.internals.Compression;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Builds one record batch (layout in {@link RecordBatch}, records in {@link DefaultRecord}).
 *
 * <p>Records are encoded straight into one growable heap buffer as they are appended: behind a
 * reserved header for {@link CompressionType#NONE}, so that {@link #build()} only fills in the
 * header; on their own for the other codecs, which {@link #build()} compresses as one unit. Append
 * allocates nothing but buffer growth.
 *
 * <p>Invariants: offset deltas are 0, 1, 2, ... in append order; the base timestamp is the first
 * record's; once {@link #build()} has been called no more records may be appended and {@link
 * #build()} returns the same bytes again.
 *
 * <p>Not thread-safe: one thread (or a caller holding a lock) uses a builder at a time.
 */
public final class RecordBatchBuilder {
  /**
   * Bytes assumed for a codec's framing (stream header, block headers, checksums) when estimating
   * the size of a compressed batch.
   */
  static final int COMPRESSION_FRAMING_ESTIMATE = 32;

  private final CompressionType codec;
  private final TimestampType timestampType;
  private final long baseOffset;
  private final ByteBufferOutputStream out;

  /** Where the records section starts in {@link #out}. */
  private final int recordsStart;

  private long producerId = RecordBatch.NO_PRODUCER_ID;
  private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
  private int baseSequence = RecordBatch.NO_SEQUENCE;
  private int partitionLeaderEpoch = RecordBatch.NO_PARTITION_LEADER_EPOCH;
  private float estimatedCompressionRatio = 1.0f;

  private int numRecords;
  private long baseTimestamp = RecordBatch.NO_TIMESTAMP;
  private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
  private ByteBuffer built;

  /**
   * @param codec how {@link #build()} compresses the records section
   * @param timestampType written into the attributes; with LogAppendTime the broker later sets the
   *     max timestamp (see {@link RecordBatch#setMaxTimestamp})
   * @param baseOffset offset of the first record (producers use 0; the broker assigns the real one)
   * @param initialCapacity initial buffer size in bytes; the buffer grows as needed
   */
  public RecordBatchBuilder(
      CompressionType codec, TimestampType timestampType, long baseOffset, int initialCapacity) {
    this(codec, timestampType, baseOffset, checkedBuffer(codec, initialCapacity));
  }

  /**
   * As above, writing into {@code buffer} (a writable heap buffer, e.g. reused from a pool) until
   * the batch outgrows it: see {@link #writesInto}.
   */
  public RecordBatchBuilder(
      CompressionType codec, TimestampType timestampType, long baseOffset, ByteBuffer buffer) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.timestampType = Objects.requireNonNull(timestampType, "timestampType");
    this.baseOffset = baseOffset;
    this.recordsStart = codec == CompressionType.NONE ? RecordBatch.RECORD_BATCH_OVERHEAD : 0;
    this.out = new ByteBufferOutputStream(buffer);
    out.position(recordsStart);
  }

  private static ByteBuffer checkedBuffer(CompressionType codec, int initialCapacity) {
    if (initialCapacity < 0) {
      throw new IllegalArgumentException("initial capacity " + initialCapacity + " < 0");
    }
    int recordsStart = codec == CompressionType.NONE ? RecordBatch.RECORD_BATCH_OVERHEAD : 0;
    return ByteBuffer.allocate(Math.max(initialCapacity, recordsStart + 64));
  }

  /**
   * Whether the batch's bytes are (still) in {@code buffer}, the one given to the constructor:
   * false once the batch outgrew it. Whoever pooled it may reuse it only when this holds and
   * nothing reads the built batch any more.
   */
  public boolean writesInto(ByteBuffer buffer) {
    return out.buffer() == buffer;
  }

  public RecordBatchBuilder setProducerId(long producerId) {
    this.producerId = producerId;
    return this;
  }

  public RecordBatchBuilder setProducerEpoch(short producerEpoch) {
    this.producerEpoch = producerEpoch;
    return this;
  }

  public RecordBatchBuilder setBaseSequence(int baseSequence) {
    this.baseSequence = baseSequence;
    return this;
  }

  public RecordBatchBuilder setPartitionLeaderEpoch(int partitionLeaderEpoch) {
    this.partitionLeaderEpoch = partitionLeaderEpoch;
    return this;
  }

  /**
   * Expected compressed size / uncompressed size, used by {@link #estimatedSizeInBytes()} for
   * compressed batches (default 1.0: assume nothing is saved). Producers may feed back the ratio
   * they observe per topic, as Kafka's do.
   */
  public RecordBatchBuilder setEstimatedCompressionRatio(float ratio) {
    if (!(ratio > 0)) {
      throw new IllegalArgumentException("compression ratio estimate " + ratio + " must be > 0");
    }
    this.estimatedCompressionRatio = ratio;
    return this;
  }

  public CompressionType compressionType() {
    return codec;
  }

  public int numRecords() {
    return numRecords;
  }

  public boolean isEmpty() {
    return numRecords == 0;
  }

  /** Bytes of encoded (uncompressed) records so far. */
  public int uncompressedRecordsSizeInBytes() {
    return out.position() - recordsStart;
  }

  /**
   * Size of the batch {@link #build()} would return: exact for {@link CompressionType#NONE} (and
   * after {@link #build()}), an estimate from {@link #setEstimatedCompressionRatio} otherwise.
   */
  public int estimatedSizeInBytes() {
    if (built != null) {
      return built.remaining();
    }
    if (codec == CompressionType.NONE) {
      return out.position();
    }
    return RecordBatch.RECORD_BATCH_OVERHEAD + estimateCompressed(uncompressedRecordsSizeInBytes());
  }

  private int estimateCompressed(long uncompressed) {
    return (int)
        Math.min(
            Integer.MAX_VALUE,
            COMPRESSION_FRAMING_ESTIMATE
                + (long) Math.ceil(uncompressed * estimatedCompressionRatio));
  }

  /**
   * Whether a record with this timestamp, key, value and headers fits so that the batch stays
   * within {@code sizeLimit} bytes (by {@link #estimatedSizeInBytes()}). Always true while the
   * builder is empty, so that a record larger than the limit still forms a batch of its own; false
   * once built.
   */
  public boolean hasRoomFor(
      long timestamp, byte[] key, byte[] value, Header[] headers, int sizeLimit) {
    if (built != null) {
      return false;
    }
    if (numRecords == 0) {
      return true;
    }
    long recordSize =
        DefaultRecord.sizeInBytes(numRecords, timestamp - baseTimestamp, key, value, headers);
    long size;
    if (codec == CompressionType.NONE) {
      size = out.position() + recordSize;
    } else {
      size =
          RecordBatch.RECORD_BATCH_OVERHEAD
              + (long) estimateCompressed(uncompressedRecordsSizeInBytes() + recordSize);
    }
    return size <= sizeLimit;
  }

  /**
   * Appends a record with the next offset delta ({@link #numRecords()}).
   *
   * @param key null for a null key
   * @param value null for a null value
   * @param headers null or empty for none; header keys must not be null
   * @throws IllegalStateException after {@link #build()}
   */
  public void append(long timestamp, byte[] key, byte[] value, Header[] headers) {
    if (built != null) {
      throw new IllegalStateException("cannot append to a batch that has been built");
    }
    if (numRecords == 0) {
      baseTimestamp = timestamp;
      maxTimestamp = timestamp;
    } else if (timestamp > maxTimestamp) {
      maxTimestamp = timestamp;
    }
    long timestampDelta = timestamp - baseTimestamp;
    int size = DefaultRecord.sizeInBytes(numRecords, timestampDelta, key, value, headers);
    out.ensureRemaining(size);
    DefaultRecord.writeTo(out.buffer(), numRecords, timestampDelta, key, value, headers);
    numRecords++;
  }

  /**
   * The finished batch: position 0, limit = its size, CRC set, records compressed with the codec.
   * Calling it again returns a new view of the same bytes.
   *
   * @throws IllegalStateException when no record was appended (a batch holds at least one)
   */
  public ByteBuffer build() {
    if (built == null) {
      if (numRecords == 0) {
        throw new IllegalStateException("a record batch needs at least one record");
      }
      ByteBuffer batch;
      if (codec == CompressionType.NONE) {
        batch = out.buffer().duplicate().flip();
      } else {
        ByteBuffer records = out.buffer().duplicate().flip();
        batch = Compression.compress(codec, records, RecordBatch.RECORD_BATCH_OVERHEAD);
      }
      int attributes = codec.id;
      if (timestampType == TimestampType.LOG_APPEND_TIME) {
        attributes |= RecordBatch.TIMESTAMP_TYPE_MASK;
      }
      RecordBatch.writeHeader(
          batch,
          baseOffset,
          partitionLeaderEpoch,
          (short) attributes,
          numRecords - 1,
          baseTimestamp,
          maxTimestamp,
          producerId,
          producerEpoch,
          baseSequence,
          numRecords);
      built = batch.slice();
    }
    return built.duplicate();
  }

  /**
   * An upper bound of the size of a batch holding just this record, whatever its codec: what a
   * producer checks against {@code max.request.size} before accepting a record.
   */
  public static int estimateSizeInBytesUpperBound(byte[] key, byte[] value, Header[] headers) {
    long size =
        RecordBatch.RECORD_BATCH_OVERHEAD
            + COMPRESSION_FRAMING_ESTIMATE
            + (long) DefaultRecord.sizeInBytesUpperBound(key, value, headers);
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  @Override
  public String toString() {
    return "RecordBatchBuilder(codec="
        + codec
        + ", records="
        + numRecords
        + ", bytes="
        + uncompressedRecordsSizeInBytes()
        + (built != null ? ", built" : "")
        + ")";
  }
}
