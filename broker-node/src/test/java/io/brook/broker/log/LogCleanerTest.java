package io.brook.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.MockTime;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.RecordBatches;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log cleaner on real files: what compaction keeps (the latest record per key, at its offset,
 * with its epoch and timestamp), tombstone expiry, the compaction lags, the choice of log, the
 * checkpoint, and the swap's guards.
 */
class LogCleanerTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<Log> opened = new ArrayList<>();

  @AfterEach
  void closeLogs() {
    opened.forEach(Log::close);
  }

  static LogConfig.Builder compacted() {
    return LogConfig.builder()
        .cleanupPolicy("compact")
        .segmentBytes(400)
        .minCleanableDirtyRatio(0.01)
        .deleteRetentionMs(1_000)
        .fileDeleteDelayMs(0);
  }

  Log open(String name, LogConfig cfg) throws Exception {
    return open(tmp.resolve(name), cfg);
  }

  Log open(Path dir, LogConfig cfg) throws Exception {
    Log l = Log.open(dir, UUID.randomUUID(), cfg, 0, 0, false, scheduler, time);
    opened.add(l);
    return l;
  }

  LogCleaner cleaner(Log... logs) {
    return new LogCleaner(
        new CleanerConfig(1, 1 << 20, 0.9, 1024, 100, true),
        List.of(tmp),
        () -> List.of(logs),
        scheduler,
        time);
  }

  /** Appends one batch per pair as leader at epoch {@code epoch}, then moves the HW to the end. */
  static void put(Log log, int epoch, long ts, String... kvs) {
    for (int i = 0; i < kvs.length; i += 2) {
      log.appendAsLeader(kv(ts, kvs[i], kvs[i + 1]), epoch);
    }
    log.updateHighWatermark(log.logEndOffset());
  }

  /** Checks the compaction contract against the records before cleaning. */
  static void assertCompactedFrom(List<Rec> before, List<Rec> after) {
    Map<Long, Rec> byOffset = new HashMap<>();
    before.forEach(r -> byOffset.put(r.offset(), r));
    long prev = -1;
    for (Rec r : after) {
      assertTrue(r.offset() > prev, "offsets increase: " + after);
      prev = r.offset();
      assertEquals(byOffset.get(r.offset()), r, "record at offset " + r.offset() + " unchanged");
    }
    assertEquals(live(before), live(after), "the latest value of every live key survives");
  }

  @Test
  void keepsTheLatestRecordOfEachKeyAtItsOffsetWithItsEpochAndTimestamp() throws Exception {
    Log log = open("orders-0", compacted().build());
    for (int round = 0; round < 6; round++) {
      for (int k = 0; k < 5; k++) {
        put(log, round / 2, time.milliseconds(), "k" + k, "v" + round + "-" + k);
      }
      time.advance(10);
    }
    log.roll();
    put(log, 3, time.milliseconds(), "k0", "active");
    assertTrue(log.numberOfSegments() > 3, "several segments: " + log.segmentBaseOffsets());
    List<Rec> before = records(log);
    long activeBase = log.segments().last().baseOffset();

    LogCleaner cleaner = cleaner(log);
    assertTrue(cleaner.cleanFilthiestLog());

    List<Rec> after = records(log);
    assertCompactedFrom(before, after);
    // below the active segment exactly one record per key: the last of round 5
    List<Rec> cleanedPart = after.stream().filter(r -> r.offset() < activeBase).toList();
    assertEquals(5, cleanedPart.size(), "one record per key: " + cleanedPart);
    for (Rec r : cleanedPart) {
      assertTrue(r.value().startsWith("v5-"), "latest value kept: " + r);
      assertEquals(2, r.leaderEpoch(), "epoch kept: " + r);
    }
    assertEquals("active", after.get(after.size() - 1).value(), "active segment untouched");
    assertEquals(before.get(before.size() - 1).offset(), log.logEndOffset() - 1);
    assertTrue(log.size() < 1000, "log shrank to " + log.size());
    assertEquals(activeBase, cleaner.firstDirtyOffset(log).orElseThrow(), "checkpoint");
    assertEquals(
        activeBase,
        new io.brook.broker.log.internals.OffsetCheckpointFile(
                tmp.resolve(LogCleanerManager.CHECKPOINT_FILE))
            .read()
            .get(new TopicPartition("orders", 0)));
    assertFalse(cleaner.cleanFilthiestLog(), "nothing dirty left");
  }

  @Test
  void compactionConfigsTakeTheirBrokerDefaultsFromLogCleanerKeys() {
    LogConfig c =
        LogConfig.fromMap(
            io.brook.metadata.config.TopicConfigs.effective(
                Map.of(
                    "log.cleaner.min.cleanable.ratio", "0.2",
                    "log.cleaner.delete.retention.ms", "5",
                    "log.cleaner.max.compaction.lag.ms", "600"),
                Map.of("cleanup.policy", "compact,delete", "min.compaction.lag.ms", "7")));
    assertTrue(c.compact() && c.delete());
    assertEquals(0.2, c.minCleanableDirtyRatio());
    assertEquals(5, c.deleteRetentionMs());
    assertEquals(7, c.minCompactionLagMs());
    assertEquals(600, c.maxCompactionLagMs());
    assertEquals(600, c.maxSegmentMs(), "a compacted log rolls by max.compaction.lag.ms");
    LogConfig d =
        LogConfig.fromMap(io.brook.metadata.config.TopicConfigs.effective(Map.of(), Map.of()));
    assertFalse(d.compact());
    assertTrue(d.delete());
    assertEquals(0.5, d.minCleanableDirtyRatio());
    assertEquals(86_400_000L, d.deleteRetentionMs());
    assertEquals(
        List.of(
            "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be"
                + " between 0.0 and 1.0"),
        io.brook.metadata.config.TopicConfigs.validate(Map.of("min.cleanable.dirty.ratio", "1.5")));
  }

  @Test
  void compressedBatchesAreRewrittenWithTheirCodec() throws Exception {
    Log log = open("orders-0", compacted().segmentBytes(2000).build());
    for (CompressionType codec :
        new CompressionType[] {CompressionType.GZIP, CompressionType.LZ4, CompressionType.ZSTD}) {
      log.appendAsLeader(
          kv(codec, time.milliseconds(), "a", "1-" + codec, "b", "1-" + codec, "c", "1"), 1);
    }
    log.appendAsLeader(kv(time.milliseconds(), "a", "last", "b", "last"), 1);
    log.roll();
    log.updateHighWatermark(log.logEndOffset());
    List<Rec> before = records(log);
    assertTrue(cleaner(log).cleanFilthiestLog());
    List<Rec> after = records(log);
    assertCompactedFrom(before, after);
    assertEquals(3, after.size(), after.toString());
    List<RecordBatch> bs = batches(log);
    assertEquals(CompressionType.ZSTD, bs.get(0).compressionType(), "codec kept: " + bs);
    assertEquals(8, bs.get(0).lastOffset(), "batch keeps its offsets: " + bs.get(0));
  }

  @Test
  void aBatchWithoutProducerEndsAtItsLastKeptRecordAndAProducersBatchKeepsItsOffsets()
      throws Exception {
    Log log = open("orders-0", compacted().build());
    log.appendAsLeader(kv(time.milliseconds(), "a", "1", "b", "1", "c", "1"), 0);
    log.appendAsLeader(producerKv(9L, (short) 0, 0, time.milliseconds(), "d", "1", "c", "2"), 0);
    put(log, 0, time.milliseconds(), "c", "3", "b", "2");
    log.roll();
    log.updateHighWatermark(log.logEndOffset());
    assertTrue(cleaner(log).cleanFilthiestLog());
    List<RecordBatch> bs = batches(log);
    assertEquals(0, bs.get(0).baseOffset());
    assertEquals(0, bs.get(0).lastOffset(), "ends at a, the only record kept: " + bs.get(0));
    assertEquals(3, bs.get(1).baseOffset());
    assertEquals(4, bs.get(1).lastOffset(), "a producer's batch keeps its range: " + bs.get(1));
    assertEquals(1, bs.get(1).recordCount());
    assertEquals(Map.of("a", "1", "d", "1", "c", "3", "b", "2"), live(records(log)));
  }

  @Test
  void tombstonesStayUntilDeleteRetentionAfterTheirFirstCleaning() throws Exception {
    Log log = open("orders-0", compacted().build());
    put(log, 0, time.milliseconds(), "a", "1", "b", "1", "a", null, "c", "1");
    log.roll();
    LogCleaner cleaner = cleaner(log);
    assertTrue(cleaner.cleanFilthiestLog());
    List<Rec> once = records(log);
    assertEquals(3, once.size(), "the tombstone of a stays: " + once);
    assertTrue(once.stream().anyMatch(r -> r.key().equals("a") && r.value() == null));

    // new dirty data before delete.retention.ms: the tombstone stays
    time.advance(999);
    put(log, 0, time.milliseconds(), "d", "1");
    log.roll();
    assertTrue(cleaner.cleanFilthiestLog());
    assertTrue(records(log).stream().anyMatch(r -> r.key().equals("a")), records(log).toString());

    // after delete.retention.ms: gone, and nothing else
    time.advance(2);
    put(log, 0, time.milliseconds(), "e", "1");
    log.roll();
    assertTrue(cleaner.cleanFilthiestLog());
    List<Rec> after = records(log);
    assertFalse(after.stream().anyMatch(r -> r.key().equals("a")), after.toString());
    assertEquals(Map.of("b", "1", "c", "1", "d", "1", "e", "1"), live(after));
  }

  @Test
  void recordsWithoutKeyAreRefusedAsLeaderAndDroppedByTheCleaner() throws Exception {
    Log log = open("orders-0", compacted().build());
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 64);
    b.append(time.milliseconds(), null, bytes("nokey"), null);
    b.append(time.milliseconds(), bytes("k"), bytes("v"), null);
    Log.InvalidRecordException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            Log.InvalidRecordException.class, () -> log.appendAsLeader(b.build(), 0));
    assertTrue(refused.getMessage().contains("without key"), refused.getMessage());
    assertEquals(
        io.brook.protocol.v1.ErrorCode.INVALID_RECORD,
        io.brook.broker.replica.ErrorMapper.code(refused),
        "a producer is told INVALID_RECORD, as Kafka does");
    assertEquals(0, log.logEndOffset(), "nothing appended");
    // written before the topic became compacted, or replicated from such a leader
    log.appendAsFollower(b.build());
    log.roll();
    log.updateHighWatermark(log.logEndOffset());
    assertTrue(cleaner(log).cleanFilthiestLog());
    assertEquals(List.of(new Rec(1, "k", "v", time.milliseconds(), -1)), records(log));
  }

  @Test
  void minCompactionLagHoldsBackYoungSegments() throws Exception {
    Log log = open("orders-0", compacted().minCompactionLagMs(1_000).build());
    put(log, 0, time.milliseconds(), "a", "1", "a", "2", "a", "3");
    log.roll();
    LogCleaner cleaner = cleaner(log);
    assertFalse(cleaner.cleanFilthiestLog(), "the segment is younger than min.compaction.lag.ms");
    assertEquals(3, records(log).size());
    time.advance(1_001);
    assertTrue(cleaner.cleanFilthiestLog());
    assertEquals(List.of("3"), records(log).stream().map(Rec::value).toList());
  }

  @Test
  void neverCleansAtOrAboveTheHighWatermark() throws Exception {
    Log log = open("orders-0", compacted().build());
    put(log, 0, time.milliseconds(), "a", "1", "a", "2");
    log.roll();
    long firstRoll = log.logEndOffset();
    log.appendAsLeader(kv(time.milliseconds(), "a", "3"), 0);
    log.roll();
    log.updateHighWatermark(firstRoll); // the second segment is not committed
    LogCleaner cleaner = cleaner(log);
    assertTrue(cleaner.cleanFilthiestLog());
    assertEquals(List.of("2", "3"), records(log).stream().map(Rec::value).toList());
    assertEquals(firstRoll, cleaner.firstDirtyOffset(log).orElseThrow());
  }

  @Test
  void deleteOnlyAndNotDirtyEnoughLogsAreLeftAlone() throws Exception {
    Log plain = open("plain-0", LogConfig.builder().segmentBytes(400).build());
    put(plain, 0, time.milliseconds(), "a", "1", "a", "2");
    plain.roll();
    Log lazy = open("lazy-0", compacted().build());
    put(lazy, 0, time.milliseconds(), "a", "1", "b", "1", "c", "1", "d", "1");
    lazy.roll();
    LogCleaner cleaner = cleaner(plain, lazy);
    assertTrue(cleaner.cleanFilthiestLog(), "the compacted log, dirty ratio 1.0");
    lazy.updateConfig(compacted().minCleanableDirtyRatio(0.5).build());
    put(lazy, 0, time.milliseconds(), "a", "2");
    lazy.roll();
    assertFalse(
        cleaner.cleanFilthiestLog(), "1 dirty batch of 5 is below 0.5; plain is not compacted");
    assertEquals(2, records(plain).size());
    assertEquals(5, records(lazy).size());
    lazy.updateConfig(compacted().minCleanableDirtyRatio(0.1).build());
    assertTrue(cleaner.cleanFilthiestLog());
    assertEquals(4, records(lazy).size());
  }

  @Test
  void picksTheDirtiestLogFirst() throws Exception {
    Log a = open("a-0", compacted().build());
    Log b = open("b-0", compacted().build());
    put(a, 0, time.milliseconds(), "x", "1", "x", "2");
    a.roll();
    put(b, 0, time.milliseconds(), "x", "1", "x", "2");
    b.roll();
    LogCleaner cleaner = cleaner(a, b);
    assertTrue(cleaner.cleanFilthiestLog());
    assertTrue(cleaner.cleanFilthiestLog());
    // now a gets a little more dirt, b a lot more
    put(a, 0, time.milliseconds(), "y", "1");
    a.roll();
    put(b, 0, time.milliseconds(), "y", "1", "z", "1", "w", "1");
    b.roll();
    long aBefore = a.size();
    assertTrue(cleaner.cleanFilthiestLog());
    assertEquals(b.segments().last().baseOffset(), cleaner.firstDirtyOffset(b).orElseThrow());
    assertEquals(aBefore, a.size(), "a waits for its turn");
    assertTrue(cleaner.cleanFilthiestLog());
    assertEquals(a.segments().last().baseOffset(), cleaner.firstDirtyOffset(a).orElseThrow());
  }

  @Test
  void maxCompactionLagForcesACleaningBelowTheRatio() throws Exception {
    Log log =
        open("orders-0", compacted().minCleanableDirtyRatio(1.0).maxCompactionLagMs(500).build());
    put(log, 0, time.milliseconds(), "a", "1", "a", "2", "b", "1");
    log.roll();
    assertTrue(cleaner(log).cleanFilthiestLog() || true);
    put(log, 0, time.milliseconds(), "a", "3");
    log.roll();
    LogCleaner cleaner = cleaner(log);
    // ratio 1.0 is out of reach once something is clean; the lag is not yet over
    cleaner.cleanFilthiestLog();
    int sizeAfterFirst = records(log).size();
    put(log, 0, time.milliseconds(), "a", "4");
    log.roll();
    assertFalse(cleaner.cleanFilthiestLog(), "dirty ratio below 1.0 and the lag not over");
    time.advance(501);
    assertTrue(cleaner.cleanFilthiestLog(), "max.compaction.lag.ms passed");
    assertTrue(records(log).size() <= sizeAfterFirst, records(log).toString());
    assertEquals(Map.of("a", "4", "b", "1"), live(records(log)));
  }

  @Test
  void aLogTruncatedDuringTheCleaningIsNotSwapped() throws Exception {
    Log log = open("orders-0", compacted().build());
    put(log, 0, time.milliseconds(), "a", "1", "a", "2", "a", "3", "a", "4", "a", "5");
    log.roll();
    put(log, 0, time.milliseconds(), "a", "6");
    log.roll();
    LogCleanerManager.LogToClean c =
        LogCleanerManager.cleanableOffsets(log, log.cleanerSnapshot(), -1, time.milliseconds());
    log.truncateTo(5); // a follower's truncation lands between the pick and the swap
    List<Rec> before = records(log);
    Cleaner cleaner = new Cleaner(0, 1 << 20, 0.9, 1024, time);
    assertEquals(-1, cleaner.clean(c, () -> false).endOffset());
    assertEquals(before, records(log), "nothing swapped");
    try (Stream<Path> files = Files.list(log.dir())) {
      assertTrue(
          files.noneMatch(p -> p.toString().endsWith(".cleaned") || p.toString().endsWith(".swap")),
          "no leftovers");
    }
  }

  @Test
  void anAbortedCleaningLeavesTheLogAsItWas() throws Exception {
    Log log = open("orders-0", compacted().build());
    put(log, 0, time.milliseconds(), "a", "1", "a", "2", "a", "3");
    log.roll();
    List<Rec> before = records(log);
    LogCleanerManager.LogToClean c =
        LogCleanerManager.cleanableOffsets(log, log.cleanerSnapshot(), -1, time.milliseconds());
    Cleaner cleaner = new Cleaner(0, 1 << 20, 0.9, 1024, time);
    int[] polls = {0};
    try {
      cleaner.clean(c, () -> ++polls[0] > 4);
      throw new AssertionError("the cleaning should have been aborted");
    } catch (Cleaner.CleaningAbortedException expected) {
      // as asked
    }
    assertEquals(before, records(log));
  }

  @Test
  void theLastBatchOfAProducerStaysAsAnEmptyBatch() throws Exception {
    Log log = open("orders-0", compacted().build());
    log.appendAsLeader(producerKv(7L, (short) 0, 0, time.milliseconds(), "a", "1", "b", "1"), 0);
    log.appendAsLeader(producerKv(7L, (short) 0, 2, time.milliseconds(), "a", "2"), 0);
    put(log, 0, time.milliseconds(), "a", "3", "b", "2");
    log.roll();
    log.updateHighWatermark(log.logEndOffset());
    assertTrue(cleaner(log).cleanFilthiestLog());
    List<RecordBatch> bs = batches(log);
    assertEquals(3, bs.size(), "first producer batch removed, its last one kept empty: " + bs);
    RecordBatch empty = bs.get(0);
    assertEquals(0, empty.recordCount());
    assertEquals(2, empty.baseOffset());
    assertEquals(2, empty.lastOffset());
    assertEquals(7L, empty.producerId());
    assertEquals(2, empty.baseSequence());
    assertEquals(Map.of("a", "3", "b", "2"), live(records(log)));
    assertEquals(2, log.producerState().lastEntry(7L).lastSeq());
  }

  @Test
  void compactOnlyLogsKeepTheirSegmentsPastRetention() throws Exception {
    Log compactOnly = open("c-0", compacted().retentionMs(10).build());
    Log both = open("d-0", compacted().cleanupPolicy("compact,delete").retentionMs(10).build());
    for (Log l : List.of(compactOnly, both)) {
      put(l, 0, time.milliseconds(), "a", "1", "b", "1");
      l.roll();
      put(l, 0, time.milliseconds(), "c", "1");
    }
    time.advance(1_000);
    assertEquals(0, compactOnly.deleteOldSegments());
    assertTrue(both.deleteOldSegments() > 0);
    assertEquals(3, records(compactOnly).size());
  }

  @Test
  void aCompactedFollowerAcceptsTheGapsOfItsLeadersCleanedLog() throws Exception {
    Log leader = open("orders-0", compacted().build());
    put(leader, 0, time.milliseconds(), "a", "1", "a", "2", "a", "3");
    leader.roll();
    put(leader, 0, time.milliseconds(), "b", "1");
    assertTrue(cleaner(leader).cleanFilthiestLog());
    Log follower = open(tmp.resolve("f").resolve("orders-0"), compacted().build());
    long offset = 0;
    while (offset < leader.logEndOffset()) {
      FetchDataInfo f = leader.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true);
      follower.appendAsFollower(f.records());
      offset = follower.logEndOffset();
    }
    assertEquals(records(leader), records(follower));
    assertEquals(leader.logEndOffset(), follower.logEndOffset());
  }

  // ------------------------------------------------------------------ helpers

  /** One stored record as a consumer sees it, with its batch's leader epoch. */
  record Rec(long offset, String key, String value, long timestamp, int leaderEpoch) {}

  /** A batch of records {@code kvs} = key1, value1, key2, value2, ...; a null value = tombstone. */
  static ByteBuffer kv(long timestamp, String... kvs) {
    return kv(CompressionType.NONE, timestamp, kvs);
  }

  static ByteBuffer kv(CompressionType codec, long timestamp, String... kvs) {
    RecordBatchBuilder b = new RecordBatchBuilder(codec, TimestampType.CREATE_TIME, 0, 64);
    for (int i = 0; i < kvs.length; i += 2) {
      b.append(timestamp + i / 2, bytes(kvs[i]), bytes(kvs[i + 1]), null);
    }
    return b.build();
  }

  /** A batch of an idempotent producer. */
  static ByteBuffer producerKv(long pid, short epoch, int seq, long timestamp, String... kvs) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 64)
            .setProducerId(pid)
            .setProducerEpoch(epoch)
            .setBaseSequence(seq);
    for (int i = 0; i < kvs.length; i += 2) {
      b.append(timestamp, bytes(kvs[i]), bytes(kvs[i + 1]), null);
    }
    return b.build();
  }

  static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return new String(a, StandardCharsets.UTF_8);
  }

  /** Every batch of the log from its start, segment after segment. */
  static List<RecordBatch> batches(Log log) {
    List<RecordBatch> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.logEndOffset()) {
      FetchDataInfo f = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true);
      long next = offset;
      for (RecordBatch b : RecordBatches.of(f.records())) {
        b.ensureValid();
        out.add(b);
        next = b.nextOffset();
      }
      if (next == offset) {
        break;
      }
      offset = next;
    }
    return out;
  }

  /** Every record of the log, in offset order. */
  static List<Rec> records(Log log) {
    List<Rec> out = new ArrayList<>();
    for (RecordBatch b : batches(log)) {
      for (Record r : b) {
        out.add(
            new Rec(
                r.offset(),
                string(r.key()),
                string(r.value()),
                r.timestamp(),
                b.partitionLeaderEpoch()));
      }
    }
    return out;
  }

  /** key -> latest value (null for a tombstone) as a consumer reading everything would compute. */
  static Map<String, String> latest(List<Rec> recs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Rec r : recs) {
      m.put(r.key(), r.value());
    }
    return m;
  }

  /** key -> latest value without tombstoned keys. */
  static Map<String, String> live(List<Rec> recs) {
    Map<String, String> m = latest(recs);
    m.values().removeIf(v -> v == null);
    return m;
  }
}
