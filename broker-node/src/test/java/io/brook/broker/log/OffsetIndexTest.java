package io.brook.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.internals.CorruptIndexException;
import io.brook.broker.log.internals.OffsetIndex;
import io.brook.broker.log.internals.OffsetIndex.OffsetPosition;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {
  @TempDir Path dir;

  private OffsetIndex index(int maxSize) throws Exception {
    return new OffsetIndex(dir.resolve("00000000000000000100.index"), 100, maxSize);
  }

  @Test
  void newIndexIsPreallocatedAndEmpty() throws Exception {
    OffsetIndex idx = index(1000);
    assertEquals(0, idx.entries());
    assertEquals(125, idx.maxEntries());
    assertEquals(1000, Files.size(idx.file()));
    assertEquals(new OffsetPosition(100, 0), idx.lookup(150));
  }

  @Test
  void lookupFindsTheLargestEntryAtOrBelowTheTarget() throws Exception {
    OffsetIndex idx = index(1000);
    for (int i = 1; i <= 50; i++) {
      idx.append(100 + i * 10L, i * 1000);
    }
    // table of (target, expected offset, expected position)
    long[][] cases = {
      {99, 100, 0},
      {100, 100, 0},
      {109, 100, 0},
      {110, 110, 1000},
      {115, 110, 1000},
      {120, 120, 2000},
      {599, 590, 49000},
      {600, 600, 50000},
      {10_000, 600, 50000}
    };
    for (long[] c : cases) {
      assertEquals(new OffsetPosition(c[1], (int) c[2]), idx.lookup(c[0]), "lookup(" + c[0] + ")");
    }
  }

  @Test
  void appendRefusesEntriesThatDoNotIncrease() throws Exception {
    OffsetIndex idx = index(1000);
    idx.append(110, 500);
    assertThrows(IllegalArgumentException.class, () -> idx.append(110, 600));
    assertThrows(IllegalArgumentException.class, () -> idx.append(120, 500));
    assertThrows(
        IllegalArgumentException.class, () -> idx.append(100L + Integer.MAX_VALUE + 1, 900));
  }

  @Test
  void fullIndexIgnoresFurtherEntries() throws Exception {
    OffsetIndex idx = index(24);
    idx.append(101, 10);
    idx.append(102, 20);
    assertFalse(idx.isFull());
    idx.append(103, 30);
    assertTrue(idx.isFull());
    idx.append(104, 40);
    assertEquals(3, idx.entries());
    assertEquals(new OffsetPosition(103, 30), idx.lookup(104));
  }

  @Test
  void truncateRemovesEntriesAtAndAboveTheOffset() throws Exception {
    OffsetIndex idx = index(1000);
    for (int i = 1; i <= 5; i++) {
      idx.append(100 + i * 10L, i * 100);
    }
    idx.truncateTo(131);
    assertEquals(3, idx.entries());
    idx.truncateTo(130);
    assertEquals(2, idx.entries());
    assertEquals(new OffsetPosition(120, 200), idx.lookup(1000));
    idx.truncateTo(50);
    assertEquals(0, idx.entries());
    idx.append(105, 50);
    assertEquals(new OffsetPosition(105, 50), idx.lookup(106));
  }

  @Test
  void trimAndReopenKeepsExactlyTheEntries() throws Exception {
    OffsetIndex idx = index(1000);
    idx.append(110, 100);
    idx.append(120, 200);
    idx.close();
    assertEquals(16, Files.size(idx.file()));
    OffsetIndex again = index(1000);
    assertEquals(2, again.entries());
    again.sanityCheck(300);
    assertEquals(new OffsetPosition(120, 200), again.lookup(125));
    again.resizeToMax();
    again.append(130, 250);
    assertEquals(3, again.entries());
  }

  @Test
  void sanityCheckRejectsWhatACorrectWriterNeverLeaves() throws Exception {
    Path f = dir.resolve("00000000000000000100.index");
    // size not a multiple of 8
    Files.write(f, new byte[] {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0});
    OffsetIndex bad = new OffsetIndex(f, 100, 1000);
    assertThrows(CorruptIndexException.class, () -> bad.sanityCheck(1000));
    // offsets going back
    Files.write(f, entries(10, 100, 5, 200));
    assertThrows(
        CorruptIndexException.class, () -> new OffsetIndex(f, 100, 1000).sanityCheck(1000));
    // positions going back
    Files.write(f, entries(10, 300, 20, 200));
    assertThrows(
        CorruptIndexException.class, () -> new OffsetIndex(f, 100, 1000).sanityCheck(1000));
    // an untrimmed file left by a crash: real entries, then zeros
    ByteBuffer untrimmed = ByteBuffer.allocate(80);
    untrimmed.put(entries(10, 100, 20, 200));
    Files.write(f, untrimmed.array());
    assertThrows(
        CorruptIndexException.class, () -> new OffsetIndex(f, 100, 1000).sanityCheck(1000));
    // last entry beyond the log
    Files.write(f, entries(10, 100, 20, 200));
    assertThrows(CorruptIndexException.class, () -> new OffsetIndex(f, 100, 1000).sanityCheck(200));
    new OffsetIndex(f, 100, 1000).sanityCheck(201);
  }

  static byte[] entries(int... relOffsetAndPosition) {
    ByteBuffer b = ByteBuffer.allocate(relOffsetAndPosition.length * 4);
    for (int v : relOffsetAndPosition) {
      b.putInt(v);
    }
    return b.array();
  }
}
