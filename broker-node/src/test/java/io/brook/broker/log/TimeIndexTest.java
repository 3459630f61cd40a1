package io.brook.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.internals.CorruptIndexException;
import io.brook.broker.log.internals.TimeIndex;
import io.brook.broker.log.internals.TimeIndex.TimestampOffset;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {
  @TempDir Path dir;

  private TimeIndex index(int maxSize) throws Exception {
    return new TimeIndex(dir.resolve("00000000000000000100.timeindex"), 100, maxSize);
  }

  @Test
  void lookupFindsTheLargestTimestampAtOrBelowTheTarget() throws Exception {
    TimeIndex idx = index(1200);
    idx.maybeAppend(1000, 110, false);
    idx.maybeAppend(2000, 120, false);
    idx.maybeAppend(3000, 150, false);
    assertEquals(new TimestampOffset(-1, 100), idx.lookup(999));
    assertEquals(new TimestampOffset(1000, 110), idx.lookup(1000));
    assertEquals(new TimestampOffset(1000, 110), idx.lookup(1999));
    assertEquals(new TimestampOffset(2000, 120), idx.lookup(2500));
    assertEquals(new TimestampOffset(3000, 150), idx.lookup(Long.MAX_VALUE));
    assertEquals(new TimestampOffset(3000, 150), idx.lastEntry());
  }

  @Test
  void timestampsThatDoNotGrowAreSkipped() throws Exception {
    TimeIndex idx = index(1200);
    idx.maybeAppend(1000, 110, false);
    idx.maybeAppend(1000, 120, false);
    idx.maybeAppend(900, 130, false);
    idx.maybeAppend(-1, 140, false);
    assertEquals(1, idx.entries());
    assertThrows(IllegalArgumentException.class, () -> idx.maybeAppend(2000, 105, false));
  }

  @Test
  void theLastSlotIsKeptForTheEntryWrittenAtRoll() throws Exception {
    TimeIndex idx = index(36); // 3 slots
    idx.maybeAppend(1, 101, false);
    assertFalse(idx.isFull());
    idx.maybeAppend(2, 102, false);
    assertTrue(idx.isFull());
    idx.maybeAppend(3, 103, false);
    assertEquals(2, idx.entries());
    idx.maybeAppend(3, 103, true);
    assertEquals(3, idx.entries());
    idx.maybeAppend(4, 104, true);
    assertEquals(3, idx.entries());
  }

  @Test
  void truncateRemovesEntriesAtAndAboveTheOffset() throws Exception {
    TimeIndex idx = index(1200);
    idx.maybeAppend(1000, 110, false);
    idx.maybeAppend(2000, 120, false);
    idx.maybeAppend(3000, 130, false);
    idx.truncateTo(121);
    assertEquals(2, idx.entries());
    idx.truncateTo(120);
    assertEquals(1, idx.entries());
    idx.truncateTo(100);
    assertEquals(0, idx.entries());
  }

  @Test
  void sanityCheck() throws Exception {
    Path f = dir.resolve("00000000000000000100.timeindex");
    Files.write(f, new byte[13]);
    assertThrows(CorruptIndexException.class, () -> new TimeIndex(f, 100, 1200).sanityCheck(10));
    Files.write(f, entries(2000, 10, 1000, 20));
    assertThrows(CorruptIndexException.class, () -> new TimeIndex(f, 100, 1200).sanityCheck(10));
    Files.write(f, entries(1000, 20, 2000, 10));
    assertThrows(CorruptIndexException.class, () -> new TimeIndex(f, 100, 1200).sanityCheck(10));
    ByteBuffer untrimmed = ByteBuffer.allocate(120).put(entries(1000, 10, 2000, 20));
    Files.write(f, untrimmed.array());
    assertThrows(CorruptIndexException.class, () -> new TimeIndex(f, 100, 1200).sanityCheck(10));
    Files.write(f, entries(1000, 10, 2000, 20));
    new TimeIndex(f, 100, 1200).sanityCheck(10);
  }

  static byte[] entries(long... tsAndRel) {
    ByteBuffer b = ByteBuffer.allocate(tsAndRel.length / 2 * 12);
    for (int i = 0; i < tsAndRel.length; i += 2) {
      b.putLong(tsAndRel[i]).putInt((int) tsAndRel[i + 1]);
    }
    return b.array();
  }
}
