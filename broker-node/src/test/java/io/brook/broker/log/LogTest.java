package io.brook.broker.log;

import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.bytes;
import static io.brook.broker.log.TestBatches.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.MockTime;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTest {
  /** Every test batch: 61-byte header + 39 bytes of payload. */
  static final int BATCH = 100;

  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<Log> opened = new ArrayList<>();

  @AfterEach
  void closeLogs() {
    opened.forEach(Log::close);
  }

  Path dir() {
    return tmp.resolve("orders-0");
  }

  Log open(LogConfig cfg) throws Exception {
    return open(cfg, 0, 0, false);
  }

  Log open(LogConfig cfg, long logStart, long recoveryPoint, boolean clean) throws Exception {
    Log l =
        Log.open(dir(), UUID.randomUUID(), cfg, logStart, recoveryPoint, clean, scheduler, time);
    opened.add(l);
    return l;
  }

  /** A producer's batch of {@code count} records (offsets from 0) at the mock clock. */
  ByteBuffer produced(int count) {
    return batch(0, count, time.milliseconds(), 39);
  }

  static LogConfig.Builder cfg() {
    return LogConfig.builder();
  }

  @Test
  void appendAsLeaderAssignsOffsetsAndStampsTheEpoch() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    ByteBuffer request = concat(produced(3), produced(2), produced(5));
    LogAppendInfo info = log.appendAsLeader(request, 7);
    assertEquals(0, info.firstOffset());
    assertEquals(9, info.lastOffset());
    assertEquals(10, info.numRecords());
    assertEquals(3 * BATCH, info.validBytes());
    assertEquals(-1, info.logAppendTime());
    assertEquals(10, log.logEndOffset());
    info = log.appendAsLeader(produced(4), 8);
    assertEquals(10, info.firstOffset());
    assertEquals(13, info.lastOffset());

    FetchDataInfo f = log.read(0, 10_000, Long.MAX_VALUE, false);
    assertEquals(4 * BATCH, f.records().remaining());
    long[] bases = {0, 3, 5, 10};
    int[] epochs = {7, 7, 7, 8};
    for (int i = 0; i < 4; i++) {
      RecordBatch b =
          RecordBatch.wrap(f.records().duplicate().position(i * BATCH).limit((i + 1) * BATCH));
      b.ensureValid();
      assertEquals(bases[i], b.baseOffset());
      assertEquals(epochs[i], b.partitionLeaderEpoch());
    }
    assertEquals(Files.size(dir().resolve("00000000000000000000.log")), 4 * BATCH);
  }

  @Test
  void readOnlyBuffersAreCopiedNotRefused() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    log.appendAsLeader(produced(1), 0);
    ByteBuffer ro = produced(2).asReadOnlyBuffer();
    assertEquals(1, log.appendAsLeader(ro, 3).firstOffset());
    RecordBatch b = RecordBatch.wrap(log.read(1, 1000, Long.MAX_VALUE, false).records());
    assertEquals(1, b.baseOffset());
    assertEquals(3, b.partitionLeaderEpoch());
  }

  @Test
  void nothingIsAppendedWhenAnyBatchIsInvalid() throws Exception {
    Log log = open(cfg().maxMessageBytes(150).build());
    log.appendAsLeader(produced(1), 0);
    ByteBuffer corrupt = produced(2);
    corrupt.put(80, (byte) (corrupt.get(80) ^ 1));
    assertThrows(
        CorruptRecordException.class, () -> log.appendAsLeader(concat(produced(1), corrupt), 0));
    assertThrows(
        RecordTooLargeException.class,
        () -> log.appendAsLeader(concat(produced(1), batch(0, 1, 0, 100)), 0));
    assertThrows(
        CorruptRecordException.class,
        () -> log.appendAsLeader(concat(produced(1), ByteBuffer.wrap(new byte[5])), 0));
    ByteBuffer truncated = produced(1).limit(80);
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(truncated, 0));
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(ByteBuffer.allocate(0), 0));
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(batch(0, 0, 0, 39), 0));
    ByteBuffer badMagic = produced(1);
    badMagic.put(RecordBatch.MAGIC_OFFSET, (byte) 1);
    assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(badMagic, 0));
    assertEquals(1, log.logEndOffset());
    assertEquals(BATCH, log.size());
    assertEquals(BATCH, Files.size(dir().resolve("00000000000000000000.log")));
  }

  @Test
  void logAppendTimeStampsTheBrokerClock() throws Exception {
    Log log = open(cfg().messageTimestampType(TimestampType.LOG_APPEND_TIME).build());
    LogAppendInfo info = log.appendAsLeader(batch(0, 2, 5, 39), 0);
    assertEquals(time.milliseconds(), info.logAppendTime());
    assertEquals(time.milliseconds(), info.maxTimestamp());
    RecordBatch b = RecordBatch.wrap(log.read(0, 1000, Long.MAX_VALUE, false).records());
    b.ensureValid();
    assertEquals(TimestampType.LOG_APPEND_TIME, b.timestampType());
    assertEquals(time.milliseconds(), b.maxTimestamp());
  }

  @Test
  void readsAcrossSegmentsWithinBounds() throws Exception {
    Log log = open(cfg().segmentBytes(3 * BATCH).build());
    for (int i = 0; i < 10; i++) {
      log.appendAsLeader(produced(2), 0); // offsets 2i, 2i+1
    }
    assertEquals(List.of(0L, 6L, 12L, 18L), log.segmentBaseOffsets());
    assertEquals(20, log.logEndOffset());
    // a batch in the middle of the second segment, limited by maxBytes
    FetchDataInfo f = log.read(9, 2 * BATCH + 50, Long.MAX_VALUE, false);
    assertEquals(2 * BATCH, f.records().remaining());
    assertEquals(8, f.records().getLong(0));
    assertEquals(20, f.logEndOffset());
    // reads stop at the end of a segment; the next read continues
    f = log.read(10, 10_000, Long.MAX_VALUE, false);
    assertEquals(BATCH, f.records().remaining());
    f = log.read(12, 10_000, Long.MAX_VALUE, false);
    assertEquals(12, f.records().getLong(0));
    // never a batch at or past maxOffsetExclusive (a high watermark)
    f = log.read(12, 10_000, 16, false);
    assertEquals(2 * BATCH, f.records().remaining());
    f = log.read(12, 10_000, 15, false);
    assertEquals(BATCH, f.records().remaining(), "the batch 14..15 reaches 15");
    assertEquals(0, log.read(12, 10_000, 12, false).records().remaining());
    // minOneMessage
    assertEquals(0, log.read(12, 10, Long.MAX_VALUE, false).records().remaining());
    assertEquals(BATCH, log.read(12, 10, Long.MAX_VALUE, true).records().remaining());
    // at the end: empty; beyond: out of range
    assertEquals(0, log.read(20, 10_000, Long.MAX_VALUE, false).records().remaining());
    assertThrows(OffsetOutOfRangeException.class, () -> log.read(21, 100, Long.MAX_VALUE, false));
    assertThrows(OffsetOutOfRangeException.class, () -> log.read(-1, 100, Long.MAX_VALUE, false));
  }

  @Test
  void readByTimestampUsesTheTimeIndexThenScans() throws Exception {
    Log log = open(cfg().segmentBytes(4 * BATCH).indexIntervalBytes(0).build());
    long t0 = time.milliseconds();
    for (int i = 0; i < 10; i++) {
      log.appendAsLeader(batch(0, 3, t0 + i * 100, t0 + i * 100 + 50, 39), 5);
    }
    assertEquals(3, log.numberOfSegments());
    assertEquals(
        new TimestampAndOffset(t0 + 50, 0, 5), log.fetchOffsetByTimestamp(0).orElseThrow());
    assertEquals(
        new TimestampAndOffset(t0 + 450, 12, 5),
        log.fetchOffsetByTimestamp(t0 + 420).orElseThrow());
    assertEquals(
        new TimestampAndOffset(t0 + 450, 12, 5),
        log.fetchOffsetByTimestamp(t0 + 450).orElseThrow());
    assertEquals(
        new TimestampAndOffset(t0 + 550, 15, 5),
        log.fetchOffsetByTimestamp(t0 + 451).orElseThrow());
    assertEquals(
        new TimestampAndOffset(t0 + 950, 27, 5),
        log.fetchOffsetByTimestamp(t0 + 901).orElseThrow());
    assertTrue(log.fetchOffsetByTimestamp(t0 + 951).isEmpty());
    assertEquals(
        new TimestampAndOffset(t0 + 950, 27, 5), log.fetchOffsetForMaxTimestamp().orElseThrow());
  }

  @Test
  void rollsBySegmentBytes() throws Exception {
    Log log = open(cfg().segmentBytes(250).build());
    for (int i = 0; i < 5; i++) {
      log.appendAsLeader(produced(1), 0);
    }
    assertEquals(List.of(0L, 2L, 4L), log.segmentBaseOffsets());
    // a two-batch request goes into one segment: here a new one
    log.appendAsLeader(concat(produced(1), produced(1)), 0);
    assertEquals(List.of(0L, 2L, 4L, 5L), log.segmentBaseOffsets());
    assertThrows(
        RecordTooLargeException.class,
        () -> log.appendAsLeader(concat(produced(1), produced(1), produced(1)), 0));
    assertEquals(7, log.logEndOffset());
  }

  @Test
  void rollsBySegmentMs() throws Exception {
    Log log = open(cfg().segmentMs(1000).build());
    log.appendAsLeader(produced(1), 0);
    time.advance(1000);
    log.appendAsLeader(produced(1), 0);
    assertEquals(1, log.numberOfSegments());
    time.advance(1);
    log.appendAsLeader(produced(1), 0);
    assertEquals(List.of(0L, 2L), log.segmentBaseOffsets());
    // the age counts from the first batch of the segment
    time.advance(600);
    log.appendAsLeader(produced(1), 0);
    time.advance(600);
    log.appendAsLeader(produced(1), 0);
    assertEquals(List.of(0L, 2L, 4L), log.segmentBaseOffsets());
  }

  @Test
  void rollsWhenAnIndexIsFull() throws Exception {
    // 36-byte indexes: 4 offset entries, 3 time entries of which one is kept for the roll
    Log log = open(cfg().indexIntervalBytes(0).maxIndexSize(36).build());
    for (int i = 0; i < 8; i++) {
      time.advance(1);
      log.appendAsLeader(produced(1), 0);
    }
    assertTrue(log.numberOfSegments() > 1, "segments: " + log.segmentBaseOffsets());
    for (long o = 0; o < 8; o++) {
      assertEquals(o, log.read(o, 1000, Long.MAX_VALUE, false).records().getLong(0));
    }
  }

  @Test
  void retentionByTimeDeletesOldSegmentsAndMovesTheLogStart() throws Exception {
    Log log =
        open(cfg().segmentBytes(2 * BATCH).retentionMs(10_000).fileDeleteDelayMs(5_000).build());
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(produced(1), 0);
      time.advance(3_000);
    }
    // segments [0,1] ts 0,3s; [2,3] 6s,9s; [4,5] 12s,15s; now = 18s
    assertEquals(List.of(0L, 2L, 4L), log.segmentBaseOffsets());
    log.updateHighWatermark(log.logEndOffset());
    assertEquals(1, log.deleteOldSegments());
    assertEquals(List.of(2L, 4L), log.segmentBaseOffsets());
    assertEquals(2, log.logStartOffset());
    assertTrue(Files.exists(dir().resolve("00000000000000000000.log.deleted")));
    assertFalse(Files.exists(dir().resolve("00000000000000000000.log")));
    assertThrows(OffsetOutOfRangeException.class, () -> log.read(1, 1000, Long.MAX_VALUE, false));
    scheduler.advance(5_000);
    assertFalse(Files.exists(dir().resolve("00000000000000000000.log.deleted")));
    assertFalse(Files.exists(dir().resolve("00000000000000000000.index.deleted")));
  }

  @Test
  void retentionOfAnEntirelyExpiredLogRollsFirst() throws Exception {
    Log log = open(cfg().segmentBytes(2 * BATCH).retentionMs(1_000).build());
    for (int i = 0; i < 3; i++) {
      log.appendAsLeader(produced(1), 0);
    }
    time.advance(5_000);
    // above the high watermark nothing goes
    assertEquals(0, log.deleteOldSegments());
    log.updateHighWatermark(3);
    assertEquals(2, log.deleteOldSegments());
    assertEquals(List.of(3L), log.segmentBaseOffsets());
    assertEquals(3, log.logStartOffset());
    assertEquals(3, log.logEndOffset());
    assertEquals(0, log.size());
    // the empty active segment is never deleted
    time.advance(5_000);
    assertEquals(0, log.deleteOldSegments());
    assertEquals(3, log.appendAsLeader(produced(1), 0).firstOffset());
  }

  @Test
  void retentionBySize() throws Exception {
    Log log = open(cfg().segmentBytes(2 * BATCH).retentionBytes(3 * BATCH).build());
    for (int i = 0; i < 7; i++) {
      log.appendAsLeader(produced(1), 0);
    }
    log.updateHighWatermark(7);
    // 7 batches in [0,1] [2,3] [4,5] [6]: delete while size - segment >= 300
    assertEquals(2, log.deleteOldSegments());
    assertEquals(List.of(4L, 6L), log.segmentBaseOffsets());
    assertEquals(3 * BATCH, log.size());
    assertEquals(4, log.logStartOffset());
  }

  @Test
  void flushMessagesAdvancesTheRecoveryPoint() throws Exception {
    Log log = open(cfg().flushMessages(5).build());
    log.appendAsLeader(produced(3), 0);
    assertEquals(0, log.recoveryPoint());
    log.appendAsLeader(produced(1), 0);
    assertEquals(0, log.recoveryPoint());
    log.appendAsLeader(produced(1), 0);
    assertEquals(5, log.recoveryPoint());
    log.appendAsLeader(produced(2), 0);
    assertEquals(5, log.recoveryPoint());
    log.flush();
    assertEquals(7, log.recoveryPoint());
  }

  @Test
  void rolledSegmentsAreFlushedInTheBackground() throws Exception {
    Log log = open(cfg().segmentBytes(BATCH).build());
    log.appendAsLeader(produced(1), 0);
    log.appendAsLeader(produced(1), 0);
    assertEquals(0, log.recoveryPoint());
    scheduler.runDue();
    assertEquals(1, log.recoveryPoint());
  }

  @Test
  void truncateToDropsLaterSegmentsAndContinuesThere() throws Exception {
    Log log = open(cfg().segmentBytes(2 * BATCH).build());
    for (int i = 0; i < 7; i++) {
      log.appendAsLeader(produced(2), 0); // batches at 0,2,4,...,12
    }
    log.updateHighWatermark(14);
    log.flush();
    log.truncateTo(6);
    assertEquals(6, log.logEndOffset());
    assertEquals(6, log.highWatermark());
    assertEquals(6, log.recoveryPoint());
    assertEquals(List.of(0L, 4L), log.segmentBaseOffsets());
    assertEquals(3 * BATCH, log.size());
    // a batch is never split: truncating inside the batch 4..5 drops it whole
    log.truncateTo(5);
    assertEquals(4, log.logEndOffset());
    assertEquals(List.of(0L, 4L), log.segmentBaseOffsets());
    assertEquals(4, log.appendAsLeader(produced(1), 0).firstOffset());
    assertEquals(4, log.read(4, 1000, Long.MAX_VALUE, false).records().getLong(0));
    log.truncateTo(100); // past the end: nothing
    assertEquals(5, log.logEndOffset());
  }

  @Test
  void truncateFullyStartsAnEmptyLogAtTheOffset() throws Exception {
    Log log = open(cfg().segmentBytes(2 * BATCH).build());
    for (int i = 0; i < 5; i++) {
      log.appendAsLeader(produced(1), 0);
    }
    log.truncateFullyAndStartAt(42);
    assertEquals(42, log.logStartOffset());
    assertEquals(42, log.logEndOffset());
    assertEquals(List.of(42L), log.segmentBaseOffsets());
    assertEquals(42, log.appendAsLeader(produced(1), 0).firstOffset());
    scheduler.advance(LogConfig.DEFAULT.fileDeleteDelayMs());
    try (Stream<Path> files = Files.list(dir())) {
      assertEquals(
          List.of(
              "00000000000000000042.index",
              "00000000000000000042.log",
              "00000000000000000042.timeindex",
              "leader-epoch-checkpoint"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void appendAsFollowerKeepsTheLeadersOffsets() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    ByteBuffer fromLeader = concat(batch(0, 3, 1, 39), batch(3, 2, 2, 39));
    fromLeader.putInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, 4);
    LogAppendInfo info = log.appendAsFollower(fromLeader);
    assertEquals(0, info.firstOffset());
    assertEquals(4, info.lastOffset());
    assertEquals(5, log.logEndOffset());
    assertArrayEquals(bytes(fromLeader), bytes(log.read(0, 1000, Long.MAX_VALUE, false).records()));
    assertThrows(
        UnexpectedAppendOffsetException.class, () -> log.appendAsFollower(batch(4, 1, 3, 39)));
    assertThrows(
        UnexpectedAppendOffsetException.class, () -> log.appendAsFollower(batch(6, 1, 3, 39)));
    assertEquals(5, log.logEndOffset());
  }

  @Test
  void anIoErrorTakesTheLogOfflineAndLosesNothingAcknowledged() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    log.appendAsLeader(produced(2), 0);
    log.segments().last().records().close(); // the next write fails
    assertThrows(LogStorageException.class, () -> log.appendAsLeader(produced(1), 0));
    assertTrue(log.isOffline());
    assertThrows(LogStorageException.class, () -> log.appendAsLeader(produced(1), 0));
    assertEquals(2, log.logEndOffset());
    log.close();
    Log again = open(LogConfig.DEFAULT);
    assertEquals(2, again.logEndOffset());
    assertEquals(BATCH, again.read(0, 1000, Long.MAX_VALUE, false).records().remaining());
  }

  @Test
  void closeAndReopenKeepsEverything() throws Exception {
    Log log = open(cfg().segmentBytes(3 * BATCH).indexIntervalBytes(0).build());
    for (int i = 0; i < 10; i++) {
      log.appendAsLeader(produced(1), 0);
      time.advance(10);
    }
    long t0 = time.milliseconds() - 100;
    byte[] all = bytes(readAll(log));
    log.close();
    Log again = open(cfg().segmentBytes(3 * BATCH).indexIntervalBytes(0).build(), 0, 10, true);
    assertEquals(10, again.logEndOffset());
    assertEquals(10, again.recoveryPoint());
    assertArrayEquals(all, bytes(readAll(again)));
    // the time indexes and max timestamps come back from disk
    assertEquals(4, again.fetchOffsetByTimestamp(t0 + 35).orElseThrow().offset());
    assertEquals(9, again.fetchOffsetForMaxTimestamp().orElseThrow().offset());
    assertEquals(10, again.appendAsLeader(produced(1), 0).firstOffset());
  }

  static ByteBuffer readAll(Log log) {
    List<ByteBuffer> parts = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      ByteBuffer r = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
      parts.add(r);
      long last = 0;
      for (int pos = 0; pos < r.limit(); ) {
        int size = RecordBatch.sizeAt(r, pos);
        last = r.getLong(pos) + r.getInt(pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
        pos += size;
      }
      offset = last + 1;
    }
    return concat(parts.toArray(new ByteBuffer[0]));
  }
}
