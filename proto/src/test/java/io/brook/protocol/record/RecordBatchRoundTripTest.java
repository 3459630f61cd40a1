package io.brook.protocol.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Builds batches with every codec and reads them back field by field. */
class RecordBatchRoundTripTest {

  /** What a test appended, to compare with what comes back. */
  record Input(long timestamp, byte[] key, byte[] value, Header[] headers) {}

  static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(UTF_8);
  }

  static byte[] toArray(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static List<Input> variedInputs() {
    List<Input> in = new ArrayList<>();
    long t = 1_700_000_000_000L;
    in.add(new Input(t, bytes("k1"), bytes("v1"), new Header[0]));
    in.add(new Input(t + 5, null, bytes("null key"), null));
    in.add(new Input(t - 3, bytes("tombstone"), null, new Header[0]));
    in.add(new Input(t + 1000, bytes(""), bytes(""), new Header[0]));
    in.add(new Input(t + 2, null, null, null));
    in.add(
        new Input(
            t + 7,
            bytes("with headers"),
            bytes("v"),
            new Header[] {
              Header.of("trace-id", "abc"),
              new Header("null-value", null),
              new Header("empty", new byte[0]),
              Header.of("ünïcødé 🚀", "x")
            }));
    in.add(new Input(Long.MAX_VALUE / 2, bytes("far future"), bytes("v"), null));
    in.add(new Input(-1L, bytes("no timestamp"), bytes("v"), null));
    return in;
  }

  static ByteBuffer build(
      CompressionType codec, TimestampType type, long baseOffset, int capacity, List<Input> in) {
    RecordBatchBuilder builder = new RecordBatchBuilder(codec, type, baseOffset, capacity);
    for (Input i : in) {
      builder.append(i.timestamp(), i.key(), i.value(), i.headers());
    }
    assertEquals(in.size(), builder.numRecords());
    return builder.build();
  }

  static void assertRecords(List<Input> expected, long baseOffset, RecordBatch batch) {
    List<Record> records = batch.records();
    assertEquals(expected.size(), records.size(), "record count");
    for (int i = 0; i < expected.size(); i++) {
      Input want = expected.get(i);
      Record got = records.get(i);
      String at = "record " + i;
      assertEquals(baseOffset + i, got.offset(), at + " offset");
      assertEquals(want.timestamp(), got.timestamp(), at + " timestamp");
      assertArrayEquals(want.key(), toArray(got.key()), at + " key");
      assertArrayEquals(want.value(), toArray(got.value()), at + " value");
      assertEquals(want.key() == null ? -1 : want.key().length, got.keySize(), at + " key size");
      assertEquals(
          want.value() == null ? -1 : want.value().length, got.valueSize(), at + " value size");
      Header[] wantHeaders = want.headers() == null ? new Header[0] : want.headers();
      assertArrayEquals(wantHeaders, got.headers(), at + " headers");
      assertEquals(
          DefaultRecord.sizeInBytes(
              i,
              want.timestamp() - expected.get(0).timestamp(),
              want.key(),
              want.value(),
              want.headers()),
          got.sizeInBytes(),
          at + " size");
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void variedRecordsRoundTrip(CompressionType codec) {
    List<Input> in = variedInputs();
    ByteBuffer buf = build(codec, TimestampType.CREATE_TIME, 42L, 16, in);
    assertEquals(0, buf.position());
    RecordBatch batch = RecordBatch.wrap(buf);
    batch.ensureValid();
    assertEquals(codec, batch.compressionType());
    assertEquals(TimestampType.CREATE_TIME, batch.timestampType());
    assertEquals(42L, batch.baseOffset());
    assertEquals(in.size(), batch.recordCount());
    assertEquals(in.size() - 1, batch.lastOffsetDelta());
    assertEquals(42L + in.size() - 1, batch.lastOffset());
    assertEquals(in.get(0).timestamp(), batch.baseTimestamp());
    assertEquals(Long.MAX_VALUE / 2, batch.maxTimestamp());
    assertEquals(RecordBatch.NO_PRODUCER_ID, batch.producerId());
    assertEquals(RecordBatch.NO_PRODUCER_EPOCH, batch.producerEpoch());
    assertEquals(RecordBatch.NO_SEQUENCE, batch.baseSequence());
    assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, batch.partitionLeaderEpoch());
    assertEquals(RecordBatch.MAGIC, batch.magic());
    assertFalse(batch.isTransactional());
    assertFalse(batch.isControlBatch());
    assertRecords(in, 42L, batch);
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void manyRecordsRoundTrip(CompressionType codec) {
    Random random = new Random(codec.id);
    List<Input> in = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      byte[] value = new byte[random.nextInt(200)];
      // Half compressible text, half random bytes.
      if (i % 2 == 0) {
        random.nextBytes(value);
      } else {
        java.util.Arrays.fill(value, (byte) ('a' + i % 26));
      }
      in.add(new Input(1000L + i, bytes("key-" + i), value, null));
    }
    RecordBatch batch = RecordBatch.wrap(build(codec, TimestampType.CREATE_TIME, 0L, 1024, in));
    batch.ensureValid();
    assertRecords(in, 0L, batch);
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void recordLargerThanInitialCapacity(CompressionType codec) {
    byte[] big = new byte[3 * 1024 * 1024];
    new Random(7).nextBytes(big);
    List<Input> in =
        List.of(
            new Input(5L, bytes("small"), bytes("x"), null),
            new Input(6L, bytes("big"), big, new Header[] {new Header("h", big)}),
            new Input(7L, bytes("after"), bytes("y"), null));
    RecordBatch batch = RecordBatch.wrap(build(codec, TimestampType.CREATE_TIME, 9L, 64, in));
    batch.ensureValid();
    assertRecords(in, 9L, batch);
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void producerFieldsAndBrokerStampingKeepTheCrcValid(CompressionType codec) {
    RecordBatchBuilder builder =
        new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, 0L, 256)
            .setProducerId(77L)
            .setProducerEpoch((short) 3)
            .setBaseSequence(11);
    List<Input> in = variedInputs();
    for (Input i : in) {
      builder.append(i.timestamp(), i.key(), i.value(), i.headers());
    }
    RecordBatch batch = RecordBatch.wrap(builder.build());
    long crc = batch.checksum();
    batch.setBaseOffset(1_000_000L);
    batch.setPartitionLeaderEpoch(12);
    batch.ensureValid();
    assertEquals(crc, batch.checksum(), "the broker-assigned fields lie outside the CRC");
    assertEquals(77L, batch.producerId());
    assertEquals(3, batch.producerEpoch());
    assertEquals(11, batch.baseSequence());
    assertEquals(12, batch.partitionLeaderEpoch());
    assertEquals(1_000_000L + in.size() - 1, batch.lastOffset());
    assertRecords(in, 1_000_000L, batch);
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void logAppendTimeGivesEveryRecordTheMaxTimestamp(CompressionType codec) {
    List<Input> in = variedInputs();
    RecordBatch batch = RecordBatch.wrap(build(codec, TimestampType.CREATE_TIME, 0L, 128, in));
    batch.setBaseOffset(500L);
    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, 123_456L);
    batch.ensureValid();
    assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
    assertEquals(123_456L, batch.maxTimestamp());
    List<Record> records = batch.records();
    assertEquals(in.size(), records.size());
    for (int i = 0; i < records.size(); i++) {
      assertEquals(500L + i, records.get(i).offset(), "offset of record " + i);
      assertEquals(123_456L, records.get(i).timestamp(), "timestamp of record " + i);
    }
    // And back: CreateTime restores each record's own timestamp.
    batch.setMaxTimestamp(TimestampType.CREATE_TIME, Long.MAX_VALUE / 2);
    batch.ensureValid();
    assertRecords(in, 500L, batch);
  }

  @Test
  void builderWithLogAppendTimeSetsTheAttribute() {
    RecordBatchBuilder builder =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.LOG_APPEND_TIME, 0L, 128);
    builder.append(10L, null, bytes("a"), null);
    builder.append(20L, null, bytes("b"), null);
    RecordBatch batch = RecordBatch.wrap(builder.build());
    assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
    assertEquals(20L, batch.maxTimestamp());
    for (Record r : batch) {
      assertEquals(20L, r.timestamp());
    }
  }

  @Test
  void iteratorIsLazyAndEnds() {
    RecordBatch batch =
        RecordBatch.wrap(
            build(CompressionType.NONE, TimestampType.CREATE_TIME, 0L, 64, variedInputs()));
    Iterator<Record> it = batch.iterator();
    int n = 0;
    while (it.hasNext()) {
      it.next();
      n++;
    }
    assertEquals(variedInputs().size(), n);
    assertThrows(java.util.NoSuchElementException.class, it::next);
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void buildTwiceReturnsTheSameBytesAndAppendAfterBuildFails(CompressionType codec) {
    RecordBatchBuilder builder = new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, 0L, 64);
    builder.append(1L, bytes("k"), bytes("v"), null);
    ByteBuffer first = builder.build();
    ByteBuffer second = builder.build();
    assertEquals(first, second);
    assertEquals(first.remaining(), builder.estimatedSizeInBytes());
    assertThrows(IllegalStateException.class, () -> builder.append(2L, null, null, null));
    assertFalse(builder.hasRoomFor(2L, null, null, null, Integer.MAX_VALUE));
  }

  @Test
  void buildingAnEmptyBatchFails() {
    RecordBatchBuilder builder =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0L, 64);
    assertThrows(IllegalStateException.class, builder::build);
  }

  @Test
  void uncompressedSizeEstimateIsExact() {
    RecordBatchBuilder builder =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0L, 8);
    assertEquals(RecordBatch.RECORD_BATCH_OVERHEAD, builder.estimatedSizeInBytes());
    for (Input i : variedInputs()) {
      builder.append(i.timestamp(), i.key(), i.value(), i.headers());
    }
    int estimate = builder.estimatedSizeInBytes();
    assertEquals(builder.build().remaining(), estimate);
  }

  @Test
  void hasRoomForIsExactForUncompressedAndAlwaysTrueWhenEmpty() {
    RecordBatchBuilder builder =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0L, 8);
    byte[] value = new byte[100];
    assertTrue(builder.hasRoomFor(1L, null, value, null, 10), "an empty builder takes any record");
    builder.append(1L, null, value, null);
    int recordSize = DefaultRecord.sizeInBytes(1, 0L, null, value, null);
    int exact = builder.estimatedSizeInBytes() + recordSize;
    assertTrue(builder.hasRoomFor(1L, null, value, null, exact));
    assertFalse(builder.hasRoomFor(1L, null, value, null, exact - 1));
    builder.append(1L, null, value, null);
    assertEquals(exact, builder.build().remaining());
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"NONE"},
      mode = EnumSource.Mode.EXCLUDE)
  void compressedEstimateBoundsIncompressibleData(CompressionType codec) {
    // With the default ratio of 1.0 a batch filled to the limit by hasRoomFor stays within a
    // small margin of it even when nothing compresses.
    Random random = new Random(3);
    int limit = 16 * 1024;
    RecordBatchBuilder builder = new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, 0L, 512);
    byte[] value = new byte[100];
    while (true) {
      random.nextBytes(value);
      if (!builder.hasRoomFor(0L, null, value, null, limit)) {
        break;
      }
      builder.append(0L, null, value.clone(), null);
    }
    assertTrue(builder.numRecords() > 100, "records appended: " + builder.numRecords());
    int size = builder.build().remaining();
    assertTrue(size <= limit + limit / 50, codec + " batch of " + size + " bytes for " + limit);
  }

  @Test
  void compressibleDataShrinks() {
    List<Input> in = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      in.add(new Input(i, bytes("key"), bytes("the same value over and over again"), null));
    }
    int plain = build(CompressionType.NONE, TimestampType.CREATE_TIME, 0L, 64, in).remaining();
    for (CompressionType codec : CompressionType.values()) {
      if (codec == CompressionType.NONE) {
        continue;
      }
      int compressed = build(codec, TimestampType.CREATE_TIME, 0L, 64, in).remaining();
      assertTrue(compressed < plain / 4, codec + ": " + compressed + " bytes vs " + plain);
    }
  }

  @Test
  void recordValuesShareTheBatchBytesForUncompressedBatches() {
    ByteBuffer buf =
        build(
            CompressionType.NONE,
            TimestampType.CREATE_TIME,
            0L,
            64,
            List.of(new Input(0L, null, bytes("abc"), null)));
    ByteBuffer value = RecordBatch.wrap(buf).records().get(0).value();
    assertEquals(3, value.remaining());
    assertEquals(0, value.position());
    assertNull(RecordBatch.wrap(buf).records().get(0).key());
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void readsFromReadOnlyDirectBuffers(CompressionType codec) {
    // Batches may arrive as read-only or direct buffers (gRPC ByteStrings, file reads).
    List<Input> in = variedInputs();
    ByteBuffer heap = build(codec, TimestampType.CREATE_TIME, 3L, 64, in);
    ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining() + 10);
    direct.position(10);
    direct.put(heap.duplicate());
    direct.position(10);
    RecordBatch batch = RecordBatch.wrap(direct.asReadOnlyBuffer());
    batch.ensureValid();
    assertRecords(in, 3L, batch);
    assertEquals(1, RecordBatches.validBytes(direct) / heap.remaining());
  }
}
