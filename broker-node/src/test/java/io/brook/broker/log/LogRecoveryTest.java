package io.brook.broker.log;

import static io.brook.broker.log.LogTest.BATCH;
import static io.brook.broker.log.LogTest.readAll;
import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.bytes;
import static io.brook.broker.log.TestBatches.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.MockTime;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery from what a crash leaves behind. Each case writes batches of one record each (100 bytes,
 * 3 per segment: segments 0, 3, 6, 9, ...), damages the files as a crash or the disk would, opens
 * the log again and checks that exactly the valid prefix is back, byte for byte.
 */
class LogRecoveryTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<Log> opened = new ArrayList<>();
  final LogConfig config =
      LogConfig.builder().segmentBytes(3 * BATCH).indexIntervalBytes(0).build();

  @AfterEach
  void closeLogs() {
    opened.forEach(Log::close);
  }

  Path dir() {
    return tmp.resolve("events-3");
  }

  Path file(long base, String suffix) {
    return dir().resolve(String.format("%020d", base) + suffix);
  }

  /** Writes {@code n} one-record batches and abandons the log without closing it (a crash). */
  byte[][] crashAfter(int n) throws Exception {
    Log log = Log.open(dir(), UUID.randomUUID(), config, 0, 0, false, scheduler, time);
    byte[][] stored = new byte[n][];
    for (int i = 0; i < n; i++) {
      log.appendAsLeader(batch(0, 1, time.milliseconds() + i, 39), 1);
    }
    ByteBuffer all = readAll(log);
    for (int i = 0; i < n; i++) {
      stored[i] = bytes(all.duplicate().position(i * BATCH).limit((i + 1) * BATCH));
    }
    return stored;
  }

  /** Writes {@code n} batches and closes the log cleanly. */
  byte[][] closedAfter(int n) throws Exception {
    byte[][] stored;
    Log log = Log.open(dir(), UUID.randomUUID(), config, 0, 0, false, scheduler, time);
    for (int i = 0; i < n; i++) {
      log.appendAsLeader(batch(0, 1, time.milliseconds() + i, 39), 1);
    }
    ByteBuffer all = readAll(log);
    stored = new byte[n][];
    for (int i = 0; i < n; i++) {
      stored[i] = bytes(all.duplicate().position(i * BATCH).limit((i + 1) * BATCH));
    }
    log.close();
    return stored;
  }

  Log reopen(long recoveryPoint, boolean clean) throws Exception {
    Log l = Log.open(dir(), UUID.randomUUID(), config, 0, recoveryPoint, clean, scheduler, time);
    opened.add(l);
    return l;
  }

  /** The log holds exactly the first {@code count} batches of {@code stored}. */
  void assertHoldsPrefix(Log log, byte[][] stored, int count) {
    assertEquals(count, log.logEndOffset(), "log end offset");
    byte[] expected =
        bytes(
            concat(
                Arrays.stream(stored, 0, count).map(ByteBuffer::wrap).toArray(ByteBuffer[]::new)));
    assertArrayEquals(expected, bytes(readAll(log)), "bytes recovered");
    for (long o = 0; o < count; o++) {
      assertEquals(
          o, log.read(o, BATCH, Long.MAX_VALUE, false).records().getLong(0), "read at " + o);
    }
    assertEquals(count, log.appendAsLeader(batch(0, 1, 0, 39), 1).firstOffset(), "next append");
  }

  static void flipBit(Path f, long position) throws Exception {
    flipBit(f, position, 0x10);
  }

  static void flipBit(Path f, long position, int mask) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ mask);
    }
  }

  static void cut(Path f, long size) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(size);
    }
  }

  @Test
  void tornLastBatchIsCutOff() throws Exception {
    byte[][] stored = crashAfter(11); // last segment 9 holds batches 9 and 10
    cut(file(9, ".log"), BATCH + 37);
    Log log = reopen(3, false);
    assertEquals(List.of(0L, 3L, 6L, 9L), log.segmentBaseOffsets());
    assertEquals(BATCH, Files.size(file(9, ".log")));
    assertHoldsPrefix(log, stored, 10);
  }

  @Test
  void tornHeaderIsCutOff() throws Exception {
    byte[][] stored = crashAfter(10);
    Files.write(
        file(9, ".log"),
        new byte[] {0, 0, 0, 0, 0, 0, 0, 10, 0, 0},
        java.nio.file.StandardOpenOption.APPEND);
    Log log = reopen(0, false);
    assertEquals(BATCH, Files.size(file(9, ".log")));
    assertHoldsPrefix(log, stored, 10);
  }

  @Test
  void flippedBitMidSegmentDropsEverythingFromThatBatchOn() throws Exception {
    byte[][] stored = crashAfter(11);
    flipBit(file(3, ".log"), BATCH + 70); // inside batch 4's records
    Log log = reopen(0, false);
    assertEquals(List.of(0L, 3L), log.segmentBaseOffsets());
    assertFalse(Files.exists(file(6, ".log")), "later segments are deleted");
    assertFalse(Files.exists(file(9, ".log")));
    assertFalse(Files.exists(file(9, ".index")));
    assertEquals(BATCH, Files.size(file(3, ".log")));
    assertHoldsPrefix(log, stored, 4);
  }

  @Test
  void baseOffsetGoingBackIsCaughtByTheOffsetCheck() throws Exception {
    byte[][] stored = crashAfter(6);
    // base offset of batch 5 (outside the CRC) becomes 1; a gap would be allowed (compaction)
    flipBit(file(3, ".log"), 2 * BATCH + 7, 0x04);
    Log log = reopen(0, false);
    assertHoldsPrefix(log, stored, 5);
  }

  @Test
  void recoveryStartsAtTheSegmentHoldingTheRecoveryPoint() throws Exception {
    byte[][] stored = closedAfter(9);
    // damage below the recovery point is not looked for (as Kafka): the segment is trusted
    flipBit(file(0, ".log"), 70);
    flipBit(file(6, ".log"), BATCH + 70); // batch 7, after the recovery point
    Log log = reopen(6, false);
    assertEquals(7, log.logEndOffset());
    assertArrayEquals(stored[6], bytes(log.read(6, BATCH, Long.MAX_VALUE, false).records()));
    assertEquals(0, log.read(0, BATCH, Long.MAX_VALUE, false).records().getLong(0));
  }

  @Test
  void cleanShutdownNeedsNoRecovery() throws Exception {
    byte[][] stored = closedAfter(9);
    flipBit(file(6, ".log"), BATCH + 70);
    Log log = reopen(0, true);
    assertEquals(9, log.logEndOffset(), "nothing re-read after a clean shutdown");
    assertEquals(9, log.recoveryPoint());
    assertArrayEquals(stored[0], bytes(log.read(0, BATCH, Long.MAX_VALUE, false).records()));
  }

  @Test
  void garbageIndexIsRebuilt() throws Exception {
    byte[][] stored = closedAfter(10);
    int entries = (int) Files.size(file(3, ".index")) / 8;
    assertTrue(entries > 0);
    byte[] garbage = new byte[16];
    new Random(42).nextBytes(garbage);
    Files.write(file(3, ".index"), garbage);
    Files.write(file(6, ".index"), new byte[13]); // not whole entries
    Files.write(file(6, ".timeindex"), garbage);
    Log log = reopen(10, true);
    assertEquals(entries * 8L, Files.size(file(3, ".index")), "rebuilt with the same entries");
    assertHoldsPrefix(log, stored, 10);
    log.close();
    assertEquals(entries * 8L, Files.size(file(6, ".index")));
  }

  @Test
  void indexPointingAtTheWrongBatchIsRebuilt() throws Exception {
    byte[][] stored = closedAfter(9);
    // well-formed but wrong: says offset 4 is at position 200 (that is offset 5)
    ByteBuffer wrong = ByteBuffer.allocate(16).putInt(0).putInt(0).putInt(1).putInt(200);
    wrong.putInt(0, 1).putInt(4, 100).putInt(8, 2).putInt(12, 150);
    Files.write(file(3, ".index"), wrong.array());
    Log log = reopen(9, true);
    assertHoldsPrefix(log, stored, 9);
  }

  @Test
  void missingIndexIsRebuilt() throws Exception {
    byte[][] stored = closedAfter(9);
    Files.delete(file(3, ".index"));
    Files.delete(file(3, ".timeindex"));
    Log log = reopen(9, true);
    assertTrue(Files.size(file(3, ".index")) > 0);
    assertHoldsPrefix(log, stored, 9);
  }

  @Test
  void crashDuringRollLeavesAnEmptySegment() throws Exception {
    byte[][] stored = crashAfter(9); // segments 0, 3, 6 full
    // the roll created the next segment's files, preallocated, and nothing else
    Files.createFile(file(9, ".log"));
    try (RandomAccessFile raf = new RandomAccessFile(file(9, ".index").toFile(), "rw")) {
      raf.setLength(config.maxIndexSize());
    }
    Log log = reopen(0, false);
    assertEquals(List.of(0L, 3L, 6L, 9L), log.segmentBaseOffsets());
    assertHoldsPrefix(log, stored, 9);
  }

  @Test
  void crashDuringRollLeavesAPartialSegment() throws Exception {
    byte[][] stored = crashAfter(9);
    // the new segment got half a batch before the crash; its time index never got created
    Files.write(file(9, ".log"), Arrays.copyOf(bytes(batch(9, 1, 0, 39)), 60));
    try (RandomAccessFile raf = new RandomAccessFile(file(9, ".index").toFile(), "rw")) {
      raf.setLength(config.maxIndexSize());
    }
    Log log = reopen(3, false);
    assertEquals(0, Files.size(file(9, ".log")));
    assertHoldsPrefix(log, stored, 9);
  }

  @Test
  void crashDuringRollWithATornPreviousSegment() throws Exception {
    byte[][] stored = crashAfter(9);
    cut(file(6, ".log"), 2 * BATCH + 10);
    Files.write(file(9, ".log"), bytes(batch(9, 1, 0, 39)));
    Log log = reopen(0, false);
    assertEquals(List.of(0L, 3L, 6L), log.segmentBaseOffsets());
    assertFalse(Files.exists(file(9, ".log")));
    assertHoldsPrefix(log, stored, 8);
  }

  @Test
  void orphanIndexAndLeftoverFilesAreRemoved() throws Exception {
    byte[][] stored = crashAfter(9);
    Files.write(file(12, ".index"), new byte[80]);
    Files.write(file(12, ".timeindex"), new byte[120]);
    Files.write(file(3, ".log.cleaned"), new byte[50]);
    Files.write(file(0, ".log.deleted"), new byte[50]);
    Files.write(dir().resolve("partition.metadata.tmp"), new byte[5]);
    Log log = reopen(0, false);
    for (String f :
        List.of(
            "00000000000000000012.index",
            "00000000000000000012.timeindex",
            "00000000000000000003.log.cleaned",
            "00000000000000000000.log.deleted",
            "partition.metadata.tmp")) {
      assertFalse(Files.exists(dir().resolve(f)), f);
    }
    assertHoldsPrefix(log, stored, 9);
  }

  @Test
  void swapFileCompletesTheReplacement() throws Exception {
    byte[][] stored = closedAfter(9);
    // a compaction finished writing one segment that replaces segments 3 and 6
    byte[] merged =
        bytes(concat(Arrays.stream(stored, 3, 9).map(ByteBuffer::wrap).toArray(ByteBuffer[]::new)));
    Files.write(file(3, ".log.swap"), merged);
    Log log = reopen(0, false);
    assertEquals(List.of(0L, 3L), log.segmentBaseOffsets());
    assertFalse(Files.exists(file(6, ".log")));
    assertFalse(Files.exists(file(3, ".log.swap")));
    assertHoldsPrefix(log, stored, 9);
  }

  @Test
  void logStartOffsetBeyondTheEndStartsOver() throws Exception {
    crashAfter(5);
    Log l = Log.open(dir(), UUID.randomUUID(), config, 20, 0, false, scheduler, time);
    opened.add(l);
    assertEquals(20, l.logStartOffset());
    assertEquals(20, l.logEndOffset());
    assertEquals(List.of(20L), l.segmentBaseOffsets());
  }
}
