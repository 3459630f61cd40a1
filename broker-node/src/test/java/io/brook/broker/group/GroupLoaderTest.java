package io.brook.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.broker.group.GroupStore.LoadedPartition;
import io.brook.broker.log.CleanerConfig;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogCleaner;
import io.brook.broker.log.LogConfig;
import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.RecordBatches;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GroupLoader} over real log files of a __consumer_offsets partition. */
class GroupLoaderTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("loader-test", 1);
  final List<Log> opened = new ArrayList<>();
  final UUID topicId = UUID.randomUUID();
  final TopicPartition t0 = new TopicPartition("orders", 0);
  final TopicPartition t1 = new TopicPartition("orders", 1);

  @AfterEach
  void close() {
    opened.forEach(Log::close);
    scheduler.close();
  }

  Log open(LogConfig cfg) throws Exception {
    Log l =
        Log.open(tmp.resolve("__consumer_offsets-7"), topicId, cfg, 0, 0, false, scheduler, time);
    opened.add(l);
    return l;
  }

  static OffsetCommitValue offset(long o) {
    return OffsetCommitValue.newBuilder()
        .setOffset(o)
        .setLeaderEpoch(1)
        .setCommitTimestamp(1000 + o)
        .setExpireTimestamp(-1)
        .build();
  }

  static GroupMetadataValue group(int generation) {
    return GroupMetadataValue.newBuilder()
        .setProtocolType("consumer")
        .setGeneration(generation)
        .setProtocol("range")
        .build();
  }

  void append(Log log, GroupRecord... records) {
    log.appendAsLeader(OffsetsTopicStore.encode(List.of(records), time.milliseconds()), 1);
  }

  static Optional<LoadedPartition> load(Log log, int bufferSize) {
    return GroupLoader.load(log, bufferSize, () -> false);
  }

  @Test
  void lastValueOfEveryKeyWinsAndTombstonesRemoveKeys() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    append(
        log,
        new GroupRecord.GroupMetadata("a", group(1)),
        new GroupRecord.OffsetCommit("a", t0, offset(5)),
        new GroupRecord.OffsetCommit("a", t1, offset(6)));
    append(log, new GroupRecord.OffsetCommit("a", t0, offset(10)));
    append(log, new GroupRecord.GroupMetadata("a", group(2)));
    append(
        log,
        new GroupRecord.GroupMetadata("b", group(1)),
        new GroupRecord.OffsetCommit("b", t0, offset(1)));
    // b is deleted: its offset and the group, each by its own tombstone.
    append(
        log, new GroupRecord.OffsetCommit("b", t0, null), new GroupRecord.GroupMetadata("b", null));
    // a's offset of t1 is deleted, then committed again.
    append(log, new GroupRecord.OffsetCommit("a", t1, null));
    append(log, new GroupRecord.OffsetCommit("a", t1, offset(8)));
    // c only has offsets (a commit from outside any membership), one deleted.
    append(
        log,
        new GroupRecord.OffsetCommit("c", t0, offset(3)),
        new GroupRecord.OffsetCommit("c", t1, offset(4)));
    append(log, new GroupRecord.OffsetCommit("c", t1, null));

    LoadedPartition loaded = load(log, 1 << 20).orElseThrow();
    assertEquals(7, loaded.partition());
    assertEquals(Map.of("a", group(2)), loaded.groups());
    assertEquals(
        Map.of("a", Map.of(t0, offset(10), t1, offset(8)), "c", Map.of(t0, offset(3))),
        loaded.offsets());
  }

  @Test
  void readsEverySegmentInSmallReads() throws Exception {
    Log log = open(LogConfig.builder().segmentBytes(1024).build());
    for (int i = 0; i < 200; i++) {
      append(
          log,
          new GroupRecord.OffsetCommit("g" + (i % 10), t0, offset(i)),
          new GroupRecord.GroupMetadata("g" + (i % 10), group(i)));
    }
    assertTrue(log.numberOfSegments() > 5, "segments: " + log.numberOfSegments());
    // A buffer smaller than one batch still makes progress (the first batch is read whole).
    for (int buffer : List.of(1, 100, 1 << 20)) {
      LoadedPartition loaded = load(log, buffer).orElseThrow();
      assertEquals(10, loaded.groups().size(), "buffer " + buffer);
      for (int g = 0; g < 10; g++) {
        int last = 190 + g;
        assertEquals(group(last), loaded.groups().get("g" + g), "buffer " + buffer);
        assertEquals(Map.of(t0, offset(last)), loaded.offsets().get("g" + g), "buffer " + buffer);
      }
    }
  }

  @Test
  void loadsWhatSurvivesARestartOfTheLog() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    append(log, new GroupRecord.OffsetCommit("g", t0, offset(1)));
    append(log, new GroupRecord.OffsetCommit("g", t0, offset(2)));
    log.close();
    opened.remove(log);
    Log again = open(LogConfig.DEFAULT);
    assertEquals(Map.of("g", Map.of(t0, offset(2))), load(again, 4096).orElseThrow().offsets());
  }

  @Test
  void skipsRecordsThatAreNotGroupRecords() throws Exception {
    Log log = open(LogConfig.DEFAULT);
    append(log, new GroupRecord.OffsetCommit("g", t0, offset(1)));
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 128);
    b.append(1, "garbage".getBytes(StandardCharsets.UTF_8), new byte[] {1}, new Header[0]);
    b.append(2, null, new byte[] {1}, new Header[0]);
    log.appendAsLeader(b.build(), 1);
    append(log, new GroupRecord.OffsetCommit("g", t1, offset(2)));
    assertEquals(
        Map.of("g", Map.of(t0, offset(1), t1, offset(2))), load(log, 4096).orElseThrow().offsets());
  }

  @Test
  void emptyLogLoadsNothing() throws Exception {
    LoadedPartition loaded = load(open(LogConfig.DEFAULT), 4096).orElseThrow();
    assertTrue(loaded.groups().isEmpty());
    assertTrue(loaded.offsets().isEmpty());
  }

  @Test
  void stopsWhenCancelled() throws Exception {
    Log log = open(LogConfig.builder().segmentBytes(1024).build());
    for (int i = 0; i < 50; i++) {
      append(log, new GroupRecord.OffsetCommit("g", t0, offset(i)));
    }
    AtomicInteger checks = new AtomicInteger();
    Optional<LoadedPartition> loaded =
        GroupLoader.load(log, 100, () -> checks.incrementAndGet() > 2);
    assertFalse(loaded.isPresent());
    assertEquals(3, checks.get());
  }

  /**
   * A cleaned __consumer_offsets partition has offset gaps, batches whose last records were removed
   * (a producer batch keeps its last offset) and a producer's last batch with no records; the
   * loader moves from batch to batch by their next offsets and loads what it loaded before the
   * cleaning, whatever its read size.
   */
  @Test
  void loadsACleanedLogAsBeforeTheCleaning() throws Exception {
    Log log =
        open(
            LogConfig.builder()
                .cleanupPolicy("compact")
                .segmentBytes(400)
                .minCleanableDirtyRatio(0.01)
                .deleteRetentionMs(86_400_000L)
                .fileDeleteDelayMs(0)
                .build());
    append(
        log,
        new GroupRecord.GroupMetadata("a", group(1)),
        new GroupRecord.OffsetCommit("a", t0, offset(5)),
        new GroupRecord.OffsetCommit("a", t1, offset(6)));
    // producer batches: the first loses its last record, the second (the producer's last) all
    appendAsProducer(
        log,
        0,
        new GroupRecord.OffsetCommit("b", t0, offset(1)),
        new GroupRecord.OffsetCommit("b", t1, offset(2)),
        new GroupRecord.OffsetCommit("a", t0, offset(7)));
    appendAsProducer(
        log,
        3,
        new GroupRecord.OffsetCommit("c", t0, offset(1)),
        new GroupRecord.GroupMetadata("c", group(1)));
    append(log, new GroupRecord.OffsetCommit("a", t0, offset(10)));
    append(
        log,
        new GroupRecord.GroupMetadata("c", group(2)),
        new GroupRecord.OffsetCommit("c", t0, offset(2)));
    for (int i = 0; i < 10; i++) {
      append(log, new GroupRecord.OffsetCommit("d", t0, offset(i)));
    }
    append(log, new GroupRecord.GroupMetadata("a", group(2)));
    append(log, new GroupRecord.OffsetCommit("b", t1, null));
    log.roll();
    append(log, new GroupRecord.OffsetCommit("e", t0, offset(1)));
    log.updateHighWatermark(log.logEndOffset());
    LoadedPartition before = load(log, 1 << 20).orElseThrow();
    assertEquals(Map.of("a", group(2), "c", group(2)), before.groups());
    assertEquals(
        Map.of(
            "a", Map.of(t0, offset(10), t1, offset(6)),
            "b", Map.of(t0, offset(1)),
            "c", Map.of(t0, offset(2)),
            "d", Map.of(t0, offset(9)),
            "e", Map.of(t0, offset(1))),
        before.offsets());

    LogCleaner cleaner =
        new LogCleaner(
            new CleanerConfig(1, 1 << 20, 0.9, 1024, 100, true),
            List.of(tmp),
            () -> List.of(log),
            scheduler,
            time);
    assertTrue(cleaner.cleanFilthiestLog(), "the log was cleaned");
    boolean gap = false;
    boolean endsPastLastRecord = false;
    boolean empty = false;
    long expectedBase = log.logStartOffset();
    for (long offset = log.logStartOffset(); offset < log.logEndOffset(); ) {
      long next = offset;
      for (RecordBatch b :
          RecordBatches.of(log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records())) {
        gap |= b.baseOffset() != expectedBase;
        expectedBase = b.nextOffset();
        long lastRecord = -1;
        for (Record r : b) {
          lastRecord = r.offset();
        }
        empty |= b.recordCount() == 0;
        endsPastLastRecord |= b.recordCount() > 0 && lastRecord < b.lastOffset();
        next = b.nextOffset();
      }
      assertTrue(next > offset, "the log can be read on from offset " + offset);
      offset = next;
    }
    assertTrue(gap, "the cleaned log has an offset gap between batches");
    assertTrue(endsPastLastRecord, "a producer batch ends past its last remaining record");
    assertTrue(empty, "the producer's last batch is kept with no records");

    for (int bufferSize : new int[] {1, 100, 1 << 20}) {
      assertEquals(before, load(log, bufferSize).orElseThrow(), "load with reads of " + bufferSize);
    }
  }

  void appendAsProducer(Log log, int baseSequence, GroupRecord... records) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 256)
            .setProducerId(42)
            .setProducerEpoch((short) 0)
            .setBaseSequence(baseSequence);
    for (GroupRecord r : records) {
      b.append(time.milliseconds(), GroupRecordCodec.key(r), GroupRecordCodec.value(r), null);
    }
    log.appendAsLeader(b.build(), 1);
  }
}
