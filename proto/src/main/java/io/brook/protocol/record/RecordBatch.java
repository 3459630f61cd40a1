package io.brook.protocol.record;

import io.brook.protocol.record.internals.Compression;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A view over the bytes of one record batch: the unit that producers build, brokers validate, stamp
 * and store, and consumers parse. The same bytes travel from producer to disk to consumer; the
 * broker only rewrites the fields that it assigns (base offset, partition leader epoch), which lie
 * outside the CRC.
 *
 * <p>Layout (big-endian; the same as Kafka's magic-2 batch, so its tools' vocabulary applies):
 *
 * <pre>
 * offset  size  field                  notes
 * ------  ----  ---------------------  -----------------------------------------------------------
 *  0      8     baseOffset             offset of the first record; assigned by the broker
 *  8      4     batchLength            bytes after this field (total size = batchLength + 12)
 * 12      4     partitionLeaderEpoch   leader epoch at append; assigned by the broker
 * 16      1     magic                  2
 * 17      4     crc                    CRC-32C (unsigned) of bytes [21, end): attributes .. records
 * 21      2     attributes             bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd),
 *                                      bit 3 timestamp type (0 CreateTime, 1 LogAppendTime),
 *                                      bit 4 transactional, bit 5 control
 * 23      4     lastOffsetDelta        offset of the last record minus baseOffset
 * 27      8     baseTimestamp          timestamp of the first record
 * 35      8     maxTimestamp           largest timestamp in the batch (append time for LogAppendTime)
 * 43      8     producerId             -1 when not idempotent
 * 51      2     producerEpoch          -1 when not idempotent
 * 53      4     baseSequence           sequence of the first record, -1 when not idempotent
 * 57      4     recordCount            number of records
 * 61      ...   records                recordCount records (see {@link DefaultRecord}), compressed
 *                                      as a whole with the codec in attributes
 * </pre>
 *
 * <p>Reading records ({@link #iterator()}, {@link #records()}) decompresses the records section
 * into memory, at most {@link #MAX_DECOMPRESSED_SIZE} bytes, and checks that exactly {@code
 * recordCount} records fill it. Iteration does not check the CRC; call {@link #ensureValid()} first
 * when the bytes come from outside.
 *
 * <p>Not thread-safe: a view shares its buffer; readers that need to share a batch across threads
 * use {@link #duplicate()}.
 */
public final class RecordBatch implements Iterable<Record> {
  public static final byte MAGIC = 2;

  public static final int BASE_OFFSET_OFFSET = 0;
  public static final int BASE_OFFSET_LENGTH = 8;
  public static final int LENGTH_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;
  public static final int LENGTH_LENGTH = 4;
  public static final int PARTITION_LEADER_EPOCH_OFFSET = LENGTH_OFFSET + LENGTH_LENGTH;
  public static final int PARTITION_LEADER_EPOCH_LENGTH = 4;
  public static final int MAGIC_OFFSET =
      PARTITION_LEADER_EPOCH_OFFSET + PARTITION_LEADER_EPOCH_LENGTH;
  public static final int MAGIC_LENGTH = 1;
  public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
  public static final int CRC_LENGTH = 4;
  public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + CRC_LENGTH;
  public static final int ATTRIBUTES_LENGTH = 2;
  public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + ATTRIBUTES_LENGTH;
  public static final int LAST_OFFSET_DELTA_LENGTH = 4;
  public static final int BASE_TIMESTAMP_OFFSET =
      LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH;
  public static final int BASE_TIMESTAMP_LENGTH = 8;
  public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + BASE_TIMESTAMP_LENGTH;
  public static final int MAX_TIMESTAMP_LENGTH = 8;
  public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + MAX_TIMESTAMP_LENGTH;
  public static final int PRODUCER_ID_LENGTH = 8;
  public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
  public static final int PRODUCER_EPOCH_LENGTH = 2;
  public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH;
  public static final int BASE_SEQUENCE_LENGTH = 4;
  public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + BASE_SEQUENCE_LENGTH;
  public static final int RECORDS_COUNT_LENGTH = 4;
  public static final int RECORDS_OFFSET = RECORDS_COUNT_OFFSET + RECORDS_COUNT_LENGTH;

  /** Size of the header: a batch is never smaller. */
  public static final int RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;

  /** The bytes before the length field's end: total size = batchLength + LOG_OVERHEAD. */
  public static final int LOG_OVERHEAD = LENGTH_OFFSET + LENGTH_LENGTH;

  static final int COMPRESSION_CODEC_MASK = 0x07;
  static final int TIMESTAMP_TYPE_MASK = 0x08;
  static final int TRANSACTIONAL_FLAG_MASK = 0x10;
  static final int CONTROL_FLAG_MASK = 0x20;

  public static final long NO_PRODUCER_ID = -1L;
  public static final short NO_PRODUCER_EPOCH = -1;
  public static final int NO_SEQUENCE = -1;
  public static final int NO_PARTITION_LEADER_EPOCH = -1;
  public static final long NO_TIMESTAMP = -1L;

  /**
   * The most bytes a compressed records section may decompress to. Larger sections are refused as
   * corrupt, which bounds what a hostile or damaged batch can make a reader allocate. Uncompressed
   * sections are read in place and are not subject to it.
   */
  public static final int MAX_DECOMPRESSED_SIZE = 64 * 1024 * 1024;

  private final ByteBuffer buffer;

  private RecordBatch(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /**
   * Wraps the bytes from {@code buffer.position()} to {@code buffer.limit()}, which must be exactly
   * one batch. Checks only that the header fits and agrees with the size; call {@link
   * #ensureValid()} to check the CRC.
   *
   * @throws CorruptRecordException when the bytes cannot be one batch
   */
  public static RecordBatch wrap(ByteBuffer buffer) {
    ByteBuffer b = buffer.slice().order(ByteOrder.BIG_ENDIAN);
    if (b.remaining() < RECORD_BATCH_OVERHEAD) {
      throw new CorruptRecordException(
          "record batch of "
              + b.remaining()
              + " bytes is smaller than the batch header ("
              + RECORD_BATCH_OVERHEAD
              + " bytes)");
    }
    int size = b.getInt(LENGTH_OFFSET) + LOG_OVERHEAD;
    if (size != b.remaining()) {
      throw new CorruptRecordException(
          "record batch header says " + size + " bytes but " + b.remaining() + " bytes were given");
    }
    return new RecordBatch(b);
  }

  /**
   * Size of the batch starting at {@code position} of {@code buffer} (absolute), read from its
   * length field, or -1 when fewer than {@link #LOG_OVERHEAD} bytes remain there.
   */
  public static int sizeAt(ByteBuffer buffer, int position) {
    if (buffer.limit() - position < LOG_OVERHEAD) {
      return -1;
    }
    return buffer.getInt(position + LENGTH_OFFSET) + LOG_OVERHEAD;
  }

  /** The bytes of this batch (position 0, limit = size). Shares content with the view. */
  public ByteBuffer buffer() {
    return buffer.duplicate();
  }

  /** A view of its own over the same bytes. */
  public RecordBatch duplicate() {
    return new RecordBatch(buffer.duplicate());
  }

  public int sizeInBytes() {
    return buffer.limit();
  }

  public long baseOffset() {
    return buffer.getLong(BASE_OFFSET_OFFSET);
  }

  public int batchLength() {
    return buffer.getInt(LENGTH_OFFSET);
  }

  public int partitionLeaderEpoch() {
    return buffer.getInt(PARTITION_LEADER_EPOCH_OFFSET);
  }

  public byte magic() {
    return buffer.get(MAGIC_OFFSET);
  }

  /** The CRC-32C stored in the header (unsigned). */
  public long checksum() {
    return Integer.toUnsignedLong(buffer.getInt(CRC_OFFSET));
  }

  public short attributes() {
    return buffer.getShort(ATTRIBUTES_OFFSET);
  }

  public CompressionType compressionType() {
    return CompressionType.forId(attributes() & COMPRESSION_CODEC_MASK);
  }

  public TimestampType timestampType() {
    return (attributes() & TIMESTAMP_TYPE_MASK) == 0
        ? TimestampType.CREATE_TIME
        : TimestampType.LOG_APPEND_TIME;
  }

  public boolean isTransactional() {
    return (attributes() & TRANSACTIONAL_FLAG_MASK) != 0;
  }

  public boolean isControlBatch() {
    return (attributes() & CONTROL_FLAG_MASK) != 0;
  }

  public int lastOffsetDelta() {
    return buffer.getInt(LAST_OFFSET_DELTA_OFFSET);
  }

  public long lastOffset() {
    return baseOffset() + lastOffsetDelta();
  }

  /** The offset after this batch's last record. */
  public long nextOffset() {
    return lastOffset() + 1;
  }

  public long baseTimestamp() {
    return buffer.getLong(BASE_TIMESTAMP_OFFSET);
  }

  public long maxTimestamp() {
    return buffer.getLong(MAX_TIMESTAMP_OFFSET);
  }

  public long producerId() {
    return buffer.getLong(PRODUCER_ID_OFFSET);
  }

  public short producerEpoch() {
    return buffer.getShort(PRODUCER_EPOCH_OFFSET);
  }

  public int baseSequence() {
    return buffer.getInt(BASE_SEQUENCE_OFFSET);
  }

  public int recordCount() {
    return buffer.getInt(RECORDS_COUNT_OFFSET);
  }

  /** CRC-32C over attributes .. end, as it should be stored in the header. */
  public long computeChecksum() {
    return crc32c(buffer, ATTRIBUTES_OFFSET, buffer.limit() - ATTRIBUTES_OFFSET);
  }

  public boolean isValid() {
    return sizeInBytes() >= RECORD_BATCH_OVERHEAD && checksum() == computeChecksum();
  }

  /**
   * Checks what can be checked without decompressing: magic, codec, record count against the offset
   * delta, and the CRC.
   *
   * @throws CorruptRecordException naming what is wrong
   */
  public void ensureValid() {
    if (magic() != MAGIC) {
      throw new CorruptRecordException(
          "record batch has magic " + magic() + "; this version reads magic " + MAGIC);
    }
    int codec = attributes() & COMPRESSION_CODEC_MASK;
    if (codec > CompressionType.ZSTD.id) {
      throw new CorruptRecordException("record batch names unknown compression codec " + codec);
    }
    if (recordCount() < 0 || lastOffsetDelta() < 0) {
      throw new CorruptRecordException(
          "record batch has record count "
              + recordCount()
              + " and last offset delta "
              + lastOffsetDelta());
    }
    long stored = checksum();
    long computed = computeChecksum();
    if (stored != computed) {
      throw new CorruptRecordException(
          "record batch at offset "
              + baseOffset()
              + " is corrupt: stored CRC-32C "
              + stored
              + " but computed "
              + computed);
    }
  }

  /** Sets the base offset (outside the CRC: the checksum stays valid). */
  public void setBaseOffset(long offset) {
    buffer.putLong(BASE_OFFSET_OFFSET, offset);
  }

  /** Sets the partition leader epoch (outside the CRC: the checksum stays valid). */
  public void setPartitionLeaderEpoch(int epoch) {
    buffer.putInt(PARTITION_LEADER_EPOCH_OFFSET, epoch);
  }

  /**
   * Sets the timestamp type and max timestamp (the broker does this for topics with {@code
   * message.timestamp.type=LogAppendTime}) and recomputes the CRC, which covers both.
   */
  public void setMaxTimestamp(TimestampType type, long maxTimestamp) {
    short attrs = attributes();
    attrs =
        (short)
            (type == TimestampType.LOG_APPEND_TIME
                ? attrs | TIMESTAMP_TYPE_MASK
                : attrs & ~TIMESTAMP_TYPE_MASK);
    buffer.putShort(ATTRIBUTES_OFFSET, attrs);
    buffer.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
    buffer.putInt(CRC_OFFSET, (int) computeChecksum());
  }

  /**
   * Iterates the records with absolute offsets and timestamps, decompressing the records section
   * first (once per call). The iterator throws {@link CorruptRecordException} from {@code next()}
   * when a record does not parse, and from the {@code next()} that returns the last record when
   * bytes are left after it.
   *
   * @throws CorruptRecordException when the magic or codec is unknown, the record count is negative
   *     or impossible, or the section does not decompress
   */
  @Override
  public Iterator<Record> iterator() {
    if (magic() != MAGIC) {
      throw new CorruptRecordException(
          "record batch has magic " + magic() + "; this version reads magic " + MAGIC);
    }
    CompressionType codec = compressionType();
    int count = recordCount();
    ByteBuffer section = buffer.duplicate().position(RECORDS_OFFSET).slice();
    // Uncompressed records are read in place; only decompression allocates, and is bounded.
    ByteBuffer records =
        codec == CompressionType.NONE
            ? section
            : Compression.decompress(codec, section, MAX_DECOMPRESSED_SIZE);
    if (count < 0 || count > records.remaining() / DefaultRecord.MIN_RECORD_SIZE) {
      throw new CorruptRecordException(
          "record batch at offset "
              + baseOffset()
              + " claims "
              + count
              + " records in a records section of "
              + records.remaining()
              + " bytes");
    }
    if (count == 0 && records.hasRemaining()) {
      throw trailingBytes(records.remaining());
    }
    return new RecordIterator(records, count);
  }

  /**
   * All records of the batch, as {@link #iterator()} yields them.
   *
   * @throws CorruptRecordException as {@link #iterator()} and its {@code next()}
   */
  public List<Record> records() {
    Iterator<Record> it = iterator();
    List<Record> out = new ArrayList<>(Math.min(recordCount(), 1024));
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  private CorruptRecordException trailingBytes(int remaining) {
    return new CorruptRecordException(
        "record batch at offset "
            + baseOffset()
            + " has "
            + remaining
            + " bytes after its "
            + recordCount()
            + " records");
  }

  /** Parses records lazily out of an uncompressed records section. */
  private final class RecordIterator implements Iterator<Record> {
    private final ByteBuffer records;
    private final int count;
    private final long baseOffset = baseOffset();
    private final long baseTimestamp = baseTimestamp();
    private final long maxTimestamp = maxTimestamp();
    private final boolean logAppendTime = timestampType() == TimestampType.LOG_APPEND_TIME;
    private int read;

    RecordIterator(ByteBuffer records, int count) {
      this.records = records;
      this.count = count;
    }

    @Override
    public boolean hasNext() {
      return read < count;
    }

    @Override
    public Record next() {
      if (read >= count) {
        throw new NoSuchElementException();
      }
      if (!records.hasRemaining()) {
        throw new CorruptRecordException(
            "record batch at offset "
                + baseOffset
                + " claims "
                + count
                + " records but holds only "
                + read);
      }
      Record r =
          DefaultRecord.readFrom(records, baseOffset, baseTimestamp, logAppendTime, maxTimestamp);
      read++;
      if (read == count && records.hasRemaining()) {
        throw trailingBytes(records.remaining());
      }
      return r;
    }
  }

  /**
   * Writes a complete header into {@code batch} (absolute positions 0 .. {@link #RECORDS_OFFSET}),
   * whose limit must be the end of the records section, then the CRC over attributes .. limit.
   */
  static void writeHeader(
      ByteBuffer batch,
      long baseOffset,
      int partitionLeaderEpoch,
      short attributes,
      int lastOffsetDelta,
      long baseTimestamp,
      long maxTimestamp,
      long producerId,
      short producerEpoch,
      int baseSequence,
      int recordCount) {
    batch.putLong(BASE_OFFSET_OFFSET, baseOffset);
    batch.putInt(LENGTH_OFFSET, batch.limit() - LOG_OVERHEAD);
    batch.putInt(PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
    batch.put(MAGIC_OFFSET, MAGIC);
    batch.putShort(ATTRIBUTES_OFFSET, attributes);
    batch.putInt(LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
    batch.putLong(BASE_TIMESTAMP_OFFSET, baseTimestamp);
    batch.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
    batch.putLong(PRODUCER_ID_OFFSET, producerId);
    batch.putShort(PRODUCER_EPOCH_OFFSET, producerEpoch);
    batch.putInt(BASE_SEQUENCE_OFFSET, baseSequence);
    batch.putInt(RECORDS_COUNT_OFFSET, recordCount);
    batch.putInt(
        CRC_OFFSET, (int) crc32c(batch, ATTRIBUTES_OFFSET, batch.limit() - ATTRIBUTES_OFFSET));
  }

  /** CRC-32C of {@code length} bytes of {@code buffer} from absolute {@code offset}. */
  static long crc32c(ByteBuffer buffer, int offset, int length) {
    CRC32C crc = new CRC32C();
    ByteBuffer slice = buffer.duplicate();
    slice.position(offset).limit(offset + length);
    crc.update(slice);
    return crc.getValue();
  }

  @Override
  public String toString() {
    return "RecordBatch(baseOffset="
        + baseOffset()
        + ", lastOffset="
        + lastOffset()
        + ", count="
        + recordCount()
        + ", size="
        + sizeInBytes()
        + ", epoch="
        + partitionLeaderEpoch()
        + ", codec="
        + compressionType()
        + ", maxTimestamp="
        + maxTimestamp()
        + ")";
  }
}
