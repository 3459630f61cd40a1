package io.brook.protocol.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.common.Header;
import io.brook.protocol.record.internals.Compression;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Damaged batches: every failure must be a CorruptRecordException, never anything else. */
class RecordBatchCorruptionTest {
  private static final int RECORDS = 20;

  static ByteBuffer sampleBatch(CompressionType codec) {
    RecordBatchBuilder builder = new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, 0L, 64);
    for (int i = 0; i < RECORDS; i++) {
      builder.append(
          1000L + i,
          ("key-" + i).getBytes(UTF_8),
          ("value number " + i + " with some text").getBytes(UTF_8),
          i % 3 == 0 ? new Header[] {Header.of("h" + i, "x"), new Header("n", null)} : null);
    }
    return builder.build();
  }

  static byte[] bytesOf(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static byte[] recordsSection(ByteBuffer batch) {
    byte[] all = bytesOf(batch);
    return Arrays.copyOfRange(all, RecordBatch.RECORDS_OFFSET, all.length);
  }

  /** A batch with a consistent header and a valid CRC around an arbitrary records section. */
  static ByteBuffer batchWithSection(CompressionType codec, byte[] section, int count) {
    ByteBuffer b = ByteBuffer.allocate(RecordBatch.RECORDS_OFFSET + section.length);
    b.position(RecordBatch.RECORDS_OFFSET);
    b.put(section);
    b.flip();
    RecordBatch.writeHeader(
        b,
        0L,
        0,
        (short) codec.id,
        Math.max(0, count - 1),
        1000L,
        1000L,
        RecordBatch.NO_PRODUCER_ID,
        RecordBatch.NO_PRODUCER_EPOCH,
        RecordBatch.NO_SEQUENCE,
        count);
    return b;
  }

  /** Reads every record; returns normally or with CorruptRecordException, or fails the test. */
  static boolean readsOrIsCorrupt(ByteBuffer batchBytes, String what) {
    try {
      RecordBatch batch = RecordBatch.wrap(batchBytes);
      for (Record r : batch) {
        r.key();
        r.value();
        r.headers();
      }
      return true;
    } catch (CorruptRecordException e) {
      return false;
    } catch (Throwable t) {
      fail(what + ": expected CorruptRecordException or success but got " + t, t);
      return false;
    }
  }

  static void assertCorrupt(ByteBuffer batchBytes, String what) {
    assertFalse(readsOrIsCorrupt(batchBytes, what), what + ": read without error");
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void crcMismatchIsDetectedAndNamed(CompressionType codec) {
    ByteBuffer good = sampleBatch(codec);
    int size = good.remaining();
    int[][] flips = { // {absolute byte, bit}
      {RecordBatch.ATTRIBUTES_OFFSET + 1, 4}, // transactional flag
      {RecordBatch.ATTRIBUTES_OFFSET + 1, 3}, // timestamp type
      {RecordBatch.LAST_OFFSET_DELTA_OFFSET + 3, 0},
      {RecordBatch.BASE_TIMESTAMP_OFFSET + 7, 2},
      {RecordBatch.MAX_TIMESTAMP_OFFSET + 7, 0},
      {RecordBatch.PRODUCER_ID_OFFSET + 7, 1},
      {RecordBatch.RECORDS_COUNT_OFFSET + 3, 1},
      {RecordBatch.RECORDS_OFFSET, 0},
      {RecordBatch.RECORDS_OFFSET + (size - RecordBatch.RECORDS_OFFSET) / 2, 5},
      {size - 1, 7},
    };
    for (int[] flip : flips) {
      ByteBuffer copy = ByteBuffer.wrap(bytesOf(good));
      copy.put(flip[0], (byte) (copy.get(flip[0]) ^ (1 << flip[1])));
      RecordBatch batch = RecordBatch.wrap(copy);
      assertFalse(batch.isValid(), "bit " + flip[1] + " of byte " + flip[0]);
      CorruptRecordException e =
          assertThrows(CorruptRecordException.class, batch::ensureValid, "byte " + flip[0]);
      String message = e.getMessage();
      assertTrue(
          message.contains("stored CRC-32C " + batch.checksum())
              && message.contains("computed " + batch.computeChecksum()),
          "message names both CRCs: " + message);
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void brokerStampingLeavesTheCrcValid(CompressionType codec) {
    RecordBatch batch = RecordBatch.wrap(sampleBatch(codec));
    batch.setBaseOffset(Long.MAX_VALUE - RECORDS);
    batch.setPartitionLeaderEpoch(Integer.MAX_VALUE);
    batch.ensureValid();
    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, 5L);
    batch.ensureValid();
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void truncationAtEveryByteIsRejected(CompressionType codec) {
    byte[] one = bytesOf(sampleBatch(codec));
    byte[] two = bytesOf(sampleBatch(codec));
    byte[] both = new byte[one.length + two.length];
    System.arraycopy(one, 0, both, 0, one.length);
    System.arraycopy(two, 0, both, one.length, two.length);
    for (int n = 0; n < both.length; n++) {
      ByteBuffer prefix = ByteBuffer.wrap(both, 0, n).slice();
      int whole = n < one.length ? 0 : 1;
      List<RecordBatch> batches = new ArrayList<>();
      RecordBatches.of(prefix).forEach(batches::add);
      assertEquals(whole, batches.size(), "whole batches in the first " + n + " bytes");
      assertEquals(whole * one.length, RecordBatches.validBytes(prefix), "validBytes at " + n);
      if (n < one.length) {
        ByteBuffer cut = ByteBuffer.wrap(one, 0, n).slice();
        assertThrows(CorruptRecordException.class, () -> RecordBatch.wrap(cut), "wrap at " + n);
      }
    }
    List<RecordBatch> all = new ArrayList<>();
    RecordBatches.of(ByteBuffer.wrap(both)).forEach(all::add);
    assertEquals(2, all.size());
    assertEquals(both.length, RecordBatches.validBytes(ByteBuffer.wrap(both)));
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void truncatedRecordsSectionBehindAValidHeaderIsCorrupt(CompressionType codec) {
    byte[] section = recordsSection(sampleBatch(codec));
    for (int n = 0; n < section.length; n++) {
      ByteBuffer batch = batchWithSection(codec, Arrays.copyOf(section, n), RECORDS);
      RecordBatch.wrap(batch).ensureValid(); // the header and CRC are fine ...
      assertCorrupt(batch, codec + " records section cut to " + n + " bytes"); // ... the rest not
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"NONE"},
      mode = EnumSource.Mode.EXCLUDE)
  void garbageCompressedPayloadWithValidCrcIsCorrupt(CompressionType codec) {
    Random random = new Random(codec.id * 1000L);
    byte[][] prefixes = {
      {},
      {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, // gzip header
      {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}, // snappy-java
      {0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, (byte) 0xa7}, // lz4 frame
      {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, // zstd frame
    };
    for (byte[] prefix : prefixes) {
      for (int i = 0; i < 40; i++) {
        byte[] garbage = new byte[prefix.length + 1 + random.nextInt(400)];
        random.nextBytes(garbage);
        System.arraycopy(prefix, 0, garbage, 0, prefix.length);
        ByteBuffer batch = batchWithSection(codec, garbage, 3);
        RecordBatch.wrap(batch).ensureValid();
        assertCorrupt(
            batch, codec + " garbage #" + i + " after a " + prefix.length + "-byte prefix");
      }
    }
    // Snappy chunks claiming huge lengths.
    byte[] hugeChunk = Arrays.copyOf(prefixes[2], 24);
    ByteBuffer.wrap(hugeChunk).putInt(16, Integer.MAX_VALUE);
    assertCorrupt(batchWithSection(codec, hugeChunk, 1), codec + " huge snappy chunk");
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void wellCompressedBytesThatAreNotRecordsAreCorrupt(CompressionType codec) {
    Random random = new Random(99);
    for (int i = 0; i < 30; i++) {
      byte[] notRecords = new byte[50 + random.nextInt(500)];
      random.nextBytes(notRecords);
      byte[] section = compressed(codec, notRecords);
      assertCorrupt(batchWithSection(codec, section, 5), codec + " random records #" + i);
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void recordCountMustMatchTheRecords(CompressionType codec) {
    byte[] section = recordsSection(sampleBatch(codec));
    assertTrue(readsOrIsCorrupt(batchWithSection(codec, section, RECORDS), "the real count"));
    for (int count : new int[] {RECORDS + 1, RECORDS - 1, 1, 0, -1, Integer.MAX_VALUE, -RECORDS}) {
      assertCorrupt(batchWithSection(codec, section, count), codec + " count " + count);
    }
  }

  @Test
  void bytesAfterTheLastRecordAreCorrupt() {
    byte[] section = recordsSection(sampleBatch(CompressionType.NONE));
    byte[] longer = Arrays.copyOf(section, section.length + 1);
    assertCorrupt(batchWithSection(CompressionType.NONE, longer, RECORDS), "one extra byte");
    for (CompressionType codec : CompressionType.values()) {
      byte[] plainPlusOne =
          Arrays.copyOf(recordsSection(sampleBatch(CompressionType.NONE)), section.length + 1);
      assertCorrupt(
          batchWithSection(codec, compressed(codec, plainPlusOne), RECORDS),
          codec + " extra decompressed byte");
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void randomDamageNeverEscapesAsAnotherException(CompressionType codec) {
    byte[] section = recordsSection(sampleBatch(codec));
    Random random = new Random(codec.id + 17L);
    int corrupt = 0;
    for (int i = 0; i < 500; i++) {
      byte[] damaged = section.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        int at = random.nextInt(damaged.length);
        damaged[at] = (byte) (damaged[at] ^ (1 + random.nextInt(255)));
      }
      if (!readsOrIsCorrupt(batchWithSection(codec, damaged, RECORDS), codec + " damage #" + i)) {
        corrupt++;
      }
    }
    assertTrue(corrupt > 0, "some damage must be detected; detected " + corrupt);
  }

  @Test
  void decompressionIsBounded() {
    byte[] zeros = new byte[RecordBatch.MAX_DECOMPRESSED_SIZE + 1024];
    // One "record" whose decompressed section exceeds the limit: a zstd bomb of a few KiB.
    byte[] bomb = compressed(CompressionType.ZSTD, zeros);
    assertTrue(bomb.length < 100_000, "bomb of " + bomb.length + " bytes");
    CorruptRecordException e =
        assertThrows(
            CorruptRecordException.class,
            () -> RecordBatch.wrap(batchWithSection(CompressionType.ZSTD, bomb, 1)).records());
    assertTrue(e.getMessage().contains("more than"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void decompressRespectsItsLimitExactly(CompressionType codec) {
    byte[] data = new byte[10_000];
    new Random(5).nextBytes(data);
    Arrays.fill(data, 0, 5000, (byte) 'a');
    ByteBuffer packed = ByteBuffer.wrap(compressed(codec, data));
    ByteBuffer out = Compression.decompress(codec, packed, data.length);
    assertEquals(ByteBuffer.wrap(data), out);
    assertThrows(
        CorruptRecordException.class, () -> Compression.decompress(codec, packed, data.length - 1));
  }

  @Test
  void unknownMagicOrCodecIsCorrupt() {
    byte[] good = bytesOf(sampleBatch(CompressionType.NONE));
    byte[] magic = good.clone();
    magic[RecordBatch.MAGIC_OFFSET] = 1;
    RecordBatch m = RecordBatch.wrap(ByteBuffer.wrap(magic));
    assertThrows(CorruptRecordException.class, m::ensureValid);
    assertThrows(CorruptRecordException.class, m::iterator);
    for (int codec = 5; codec <= 7; codec++) {
      byte[] bad = good.clone();
      bad[RecordBatch.ATTRIBUTES_OFFSET + 1] = (byte) codec;
      RecordBatch b = RecordBatch.wrap(ByteBuffer.wrap(bad));
      assertThrows(CorruptRecordException.class, b::ensureValid, "codec " + codec);
      assertThrows(CorruptRecordException.class, b::records, "codec " + codec);
    }
  }

  static byte[] compressed(CompressionType codec, byte[] plain) {
    return bytesOf(Compression.compress(codec, ByteBuffer.wrap(plain), 0));
  }
}
