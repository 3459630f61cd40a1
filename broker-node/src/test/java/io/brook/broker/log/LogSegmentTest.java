package io.brook.broker.log;

import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.internals.BatchHeader;
import io.brook.broker.log.internals.LogSegment;
import io.brook.common.MockTime;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSegmentTest {
  @TempDir Path dir;
  final MockTime time = new MockTime();

  /** 10 batches of 10 records, offsets 50.., 100 bytes each (61 header + 39 payload). */
  private LogSegment segmentWithTenBatches(int indexInterval) throws Exception {
    LogSegment s = LogSegment.create(dir, 50, indexInterval, 1000, 0, time);
    for (int i = 0; i < 10; i++) {
      s.append(batch(50 + i * 10L, 10, 1000 + i * 100L, 39));
    }
    return s;
  }

  @Test
  void appendThenReadWholeBatches() throws Exception {
    LogSegment s = segmentWithTenBatches(150);
    assertEquals(1000, s.size());
    assertTrue(s.offsetIndex().entries() > 0, "sparse index entries were written");
    // from an offset inside the 3rd batch: starts at that batch
    ByteBuffer r = s.read(75, 250, Long.MAX_VALUE, Integer.MAX_VALUE, false);
    assertEquals(200, r.remaining(), "two whole batches fit in 250 bytes");
    assertEquals(70, r.getLong(0));
    assertArrayEquals(bytes(batch(70, 10, 1200, 39)), bytes(r.duplicate().limit(100)));
    // maxOffsetExclusive stops before the batch holding it
    r = s.read(50, 10_000, 85, Integer.MAX_VALUE, false);
    assertEquals(300, r.remaining());
    // too small for one batch: nothing unless minOneMessage
    assertEquals(0, s.read(50, 99, Long.MAX_VALUE, Integer.MAX_VALUE, false).remaining());
    assertEquals(100, s.read(50, 99, Long.MAX_VALUE, Integer.MAX_VALUE, true).remaining());
    // beyond the segment
    assertNull(s.read(150, 1000, Long.MAX_VALUE, Integer.MAX_VALUE, false));
    // bounded by a position
    assertEquals(500, s.read(50, 10_000, Long.MAX_VALUE, 500, false).remaining());
  }

  @Test
  void translateAndTimestampLookups() throws Exception {
    LogSegment s = segmentWithTenBatches(0);
    BatchHeader h = s.translateOffset(99);
    assertEquals(90, h.baseOffset());
    assertEquals(400, h.position());
    assertNull(s.translateOffset(150));
    assertEquals(1900, s.maxTimestampSoFar());
    assertEquals(149, s.offsetOfMaxTimestampSoFar());
    assertEquals(80, s.findByTimestamp(1250, 0).baseOffset());
    assertEquals(80, s.findByTimestamp(1300, 0).baseOffset());
    assertEquals(50, s.findByTimestamp(0, 0).baseOffset());
    assertNull(s.findByTimestamp(1901, 0));
    assertEquals(150, s.readNextOffset());
  }

  @Test
  void shouldRollBySizeTimeAndOffsetRange() throws Exception {
    LogSegment s = LogSegment.create(dir, 0, 4096, 1000, 0, time);
    assertFalse(s.shouldRoll(100, 10, 1000, 5, time.milliseconds(), time.milliseconds()));
    s.append(batch(0, 1, time.milliseconds(), 39));
    long now = time.milliseconds();
    assertFalse(s.shouldRoll(200, 1000, 100, 1, now, now));
    assertTrue(s.shouldRoll(199, 1000, 100, 1, now, now), "100 + 100 > 199");
    assertFalse(s.shouldRoll(10_000, 1000, 100, 1, now + 1000, now + 1000));
    assertTrue(s.shouldRoll(10_000, 1000, 100, 1, now + 1001, now + 1001));
    assertTrue(s.shouldRoll(10_000, 1000, 100, 1L + Integer.MAX_VALUE, now, now));
  }

  @Test
  void truncateDropsWholeBatchesAndIndexEntries() throws Exception {
    LogSegment s = segmentWithTenBatches(0);
    int entries = s.offsetIndex().entries();
    assertEquals(500, s.truncateTo(105));
    assertEquals(500, s.size());
    assertEquals(100, s.readNextOffset());
    assertTrue(s.offsetIndex().entries() < entries);
    assertEquals(1400, s.maxTimestampSoFar());
    assertEquals(0, s.truncateTo(100));
    s.append(batch(100, 5, 5000, 39));
    assertEquals(105, s.readNextOffset());
    assertEquals(5000, s.maxTimestampSoFar());
  }

  @Test
  void recoverRebuildsIndexesAndStopsAtGarbage() throws Exception {
    LogSegment s = segmentWithTenBatches(0);
    int entries = s.offsetIndex().entries();
    s.close();
    Files.write(
        dir.resolve("00000000000000000050.log"),
        new byte[] {1, 2, 3},
        java.nio.file.StandardOpenOption.APPEND);
    LogSegment again = LogSegment.open(dir, 50, 0, 1000, 0, time, "");
    LogSegment.RecoveryResult r = again.recover(50);
    assertEquals(3, r.truncatedBytes());
    assertEquals(150, r.nextOffset());
    assertEquals(1000, Files.size(dir.resolve("00000000000000000050.log")));
    assertEquals(entries, again.offsetIndex().entries());
    assertEquals(90, again.translateOffset(95).baseOffset());
  }

  @Test
  void rollFinalizesTheTimeIndexAndTrimsFiles() throws Exception {
    LogSegment s = segmentWithTenBatches(4096);
    assertEquals(0, s.timeIndex().entries());
    s.onBecomeInactiveSegment();
    assertEquals(1, s.timeIndex().entries());
    assertEquals(1900, s.timeIndex().lastEntry().timestamp());
    assertEquals(12, Files.size(s.timeIndex().file()));
    assertEquals(0, Files.size(s.offsetIndex().file()));
    s.close();
    LogSegment again = LogSegment.open(dir, 50, 4096, 1000, 0, time, "");
    again.sanityCheck();
    assertEquals(1900, again.maxTimestampSoFar());
    assertEquals(149, again.offsetOfMaxTimestampSoFar());
  }
}
