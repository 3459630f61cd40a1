package io.brook.protocol.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBatchesTest {

  static ByteBuffer batch(CompressionType codec, long baseOffset, int records) {
    RecordBatchBuilder b = new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, baseOffset, 64);
    for (int i = 0; i < records; i++) {
      b.append(i, ("k" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8), null);
    }
    return b.build();
  }

  /** The batches laid end to end at position {@code lead} of a larger buffer. */
  static ByteBuffer concat(int lead, ByteBuffer... batches) {
    int size = lead;
    for (ByteBuffer b : batches) {
      size += b.remaining();
    }
    ByteBuffer out = ByteBuffer.allocate(size + 5);
    out.position(lead);
    for (ByteBuffer b : batches) {
      out.put(b.duplicate());
    }
    out.limit(out.position()).position(lead);
    return out;
  }

  static List<RecordBatch> list(ByteBuffer buffer) {
    List<RecordBatch> out = new ArrayList<>();
    RecordBatches.of(buffer).forEach(out::add);
    return out;
  }

  @Test
  void iteratesConcatenatedBatchesOfMixedCodecs() {
    ByteBuffer buffer =
        concat(
            7,
            batch(CompressionType.NONE, 0L, 3),
            batch(CompressionType.ZSTD, 3L, 5),
            batch(CompressionType.GZIP, 8L, 1),
            batch(CompressionType.LZ4, 9L, 2),
            batch(CompressionType.SNAPPY, 11L, 4));
    List<RecordBatch> batches = list(buffer);
    assertEquals(5, batches.size());
    long next = 0;
    for (RecordBatch b : batches) {
      b.ensureValid();
      assertEquals(next, b.baseOffset());
      List<Record> records = b.records();
      assertEquals(b.recordCount(), records.size());
      assertEquals(next, records.get(0).offset());
      next = b.nextOffset();
    }
    assertEquals(15L, next);
    assertEquals(7, buffer.position(), "the caller's position does not move");
    assertEquals(5, list(buffer).size(), "the iterable can be walked again");
    assertEquals(buffer.remaining(), RecordBatches.validBytes(buffer));
  }

  @Test
  void batchesShareTheBufferSoTheBrokerCanStampInPlace() {
    ByteBuffer buffer =
        concat(0, batch(CompressionType.NONE, 0L, 2), batch(CompressionType.LZ4, 2L, 2));
    long offset = 100;
    for (RecordBatch b : RecordBatches.of(buffer)) {
      b.setBaseOffset(offset);
      b.setPartitionLeaderEpoch(4);
      offset += b.recordCount();
    }
    List<RecordBatch> again = list(buffer);
    assertEquals(100L, again.get(0).baseOffset());
    assertEquals(102L, again.get(1).baseOffset());
    assertEquals(4, again.get(1).partitionLeaderEpoch());
    assertEquals(buffer.remaining(), RecordBatches.validBytes(buffer), "CRCs still valid");
  }

  @Test
  void emptyAndTinyBuffersHoldNoBatches() {
    for (int n = 0; n < RecordBatch.LOG_OVERHEAD; n++) {
      ByteBuffer b = ByteBuffer.allocate(n);
      assertTrue(list(b).isEmpty(), n + " bytes");
      assertEquals(0, RecordBatches.validBytes(b));
    }
    Iterator<RecordBatch> it = RecordBatches.of(ByteBuffer.allocate(0)).iterator();
    assertFalse(it.hasNext());
    assertThrows(java.util.NoSuchElementException.class, it::next);
  }

  @Test
  void aLengthFieldSmallerThanAHeaderIsCorrupt() {
    ByteBuffer good = batch(CompressionType.NONE, 0L, 1);
    for (int length :
        new int[] {0, -1, -12, -13, Integer.MIN_VALUE, RecordBatch.RECORD_BATCH_OVERHEAD - 13}) {
      ByteBuffer buffer = concat(0, good, good);
      buffer.putInt(good.remaining() + RecordBatch.LENGTH_OFFSET, length);
      Iterator<RecordBatch> it = RecordBatches.of(buffer).iterator();
      it.next();
      assertThrows(CorruptRecordException.class, it::hasNext, "length field " + length);
      assertEquals(good.remaining(), RecordBatches.validBytes(buffer), "length field " + length);
    }
  }

  @Test
  void aHugeLengthFieldIsAPartialBatch() {
    ByteBuffer good = batch(CompressionType.NONE, 0L, 1);
    ByteBuffer buffer = concat(0, good, good);
    buffer.putInt(good.remaining() + RecordBatch.LENGTH_OFFSET, Integer.MAX_VALUE);
    assertEquals(1, list(buffer).size());
    assertEquals(good.remaining(), RecordBatches.validBytes(buffer));
  }

  @Test
  void validBytesStopsAtTheFirstInvalidBatch() {
    ByteBuffer a = batch(CompressionType.NONE, 0L, 2);
    ByteBuffer b = batch(CompressionType.GZIP, 2L, 2);
    ByteBuffer c = batch(CompressionType.NONE, 4L, 2);
    ByteBuffer buffer = concat(3, a, b, c);
    int flipAt = 3 + a.remaining() + b.remaining() - 1;
    buffer.put(flipAt, (byte) (buffer.get(flipAt) ^ 1));
    assertEquals(a.remaining(), RecordBatches.validBytes(buffer));
    assertEquals(3, list(buffer).size(), "iteration checks sizes, not CRCs");
  }
}
