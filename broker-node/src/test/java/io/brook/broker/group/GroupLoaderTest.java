package io.brook.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.broker.group.GroupStore.LoadedPartition;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
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
}
