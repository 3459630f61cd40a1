package io.brook.broker.log;

import static io.brook.broker.log.LogTest.BATCH;
import static io.brook.broker.log.LogTest.readAll;
import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.internals.OffsetCheckpointFile;
import io.brook.common.MockTime;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<LogManager> managers = new ArrayList<>();
  final LogConfig small = LogConfig.builder().segmentBytes(3 * BATCH).indexIntervalBytes(0).build();
  final TopicPartition a0 = new TopicPartition("orders", 0);
  final TopicPartition a1 = new TopicPartition("orders", 1);
  final TopicPartition b0 = new TopicPartition("audit-log", 0);
  final UUID ordersId = UUID.randomUUID();
  final UUID auditId = UUID.randomUUID();

  @AfterEach
  void closeAll() {
    managers.forEach(LogManager::close);
  }

  LogManager manager(Path... dirs) {
    return manager(LogManagerConfig.DEFAULT.withDefaultLogConfig(small), dirs);
  }

  LogManager manager(LogManagerConfig cfg, Path... dirs) {
    LogManager m = new LogManager(List.of(dirs), cfg, scheduler, time);
    managers.add(m);
    m.startup();
    return m;
  }

  static void append(Log log, int batches) {
    for (int i = 0; i < batches; i++) {
      log.appendAsLeader(batch(0, 1, 1_000 + log.logEndOffset(), 39), 2);
    }
  }

  @Test
  void logsSurviveACleanRestart() throws Exception {
    Path d1 = tmp.resolve("d1");
    Path d2 = tmp.resolve("d2");
    LogManager m = manager(d1, d2);
    Log la0 = m.getOrCreateLog(a0, ordersId, small);
    Log la1 = m.getOrCreateLog(a1, ordersId, small);
    Log lb0 = m.getOrCreateLog(b0, auditId, small);
    assertSame(la0, m.getOrCreateLog(a0, ordersId, small));
    assertNotEquals(la0.dir().getParent(), la1.dir().getParent(), "spread over the log dirs");
    append(la0, 7);
    append(la1, 2);
    append(lb0, 4);
    la0.updateHighWatermark(5);
    lb0.updateHighWatermark(4);
    Map<TopicPartition, byte[]> contents = new HashMap<>();
    for (Log l : m.allLogs()) {
      contents.put(l.topicPartition(), bytes(readAll(l)));
    }
    m.close();
    m.close(); // idempotent
    for (Path d : List.of(d1, d2)) {
      assertTrue(Files.exists(d.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
      assertTrue(Files.exists(d.resolve(LogManager.RECOVERY_POINT_CHECKPOINT_FILE)));
    }
    Map<TopicPartition, Long> hws = new HashMap<>();
    for (Path d : List.of(d1, d2)) {
      hws.putAll(
          new OffsetCheckpointFile(d.resolve(LogManager.HIGH_WATERMARK_CHECKPOINT_FILE)).read());
    }
    assertEquals(Map.of(a0, 5L, a1, 0L, b0, 4L), hws);

    LogManager again = manager(d1, d2);
    assertEquals(3, again.allLogs().size());
    for (Path d : List.of(d1, d2)) {
      assertFalse(
          Files.exists(d.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "marker removed at startup");
    }
    Log ra0 = again.getLog(a0).orElseThrow();
    assertEquals(7, ra0.logEndOffset());
    assertEquals(7, ra0.recoveryPoint());
    assertEquals(5, ra0.highWatermark());
    assertEquals(ordersId, ra0.topicId());
    assertEquals(auditId, again.getLog(b0).orElseThrow().topicId());
    for (Log l : again.allLogs()) {
      assertArrayEquals(
          contents.get(l.topicPartition()), bytes(readAll(l)), l.topicPartition().toString());
    }
    append(ra0, 1);
    assertEquals(8, ra0.logEndOffset());
  }

  @Test
  void aCrashRecoversFromTheCheckpointedRecoveryPoint() throws Exception {
    Path d = tmp.resolve("d");
    LogManager m = manager(d);
    Log log = m.getOrCreateLog(a0, ordersId, small);
    append(log, 4);
    log.flush();
    m.checkpointRecoveryPoints();
    append(log, 4);
    byte[] all = bytes(readAll(log));
    // what a crash leaves: the files as they are, no marker, untrimmed indexes
    Path crashed = tmp.resolve("crashed");
    copyTree(d, crashed);
    Files.deleteIfExists(crashed.resolve(LogManager.LOCK_FILE));
    // and the last write torn
    Path last = crashed.resolve("orders-0").resolve(String.format("%020d.log", 6));
    try (RandomAccessFile raf = new RandomAccessFile(last.toFile(), "rw")) {
      raf.setLength(BATCH + 20);
    }
    LogManager after = manager(crashed);
    Log r = after.getLog(a0).orElseThrow();
    assertEquals(7, r.logEndOffset());
    assertEquals(4, r.recoveryPoint());
    assertArrayEquals(java.util.Arrays.copyOf(all, 7 * BATCH), bytes(readAll(r)));
  }

  @Test
  void aMalformedRecoveryCheckpointMeansFullRecovery() throws Exception {
    Path d = tmp.resolve("d");
    LogManager m = manager(d);
    append(m.getOrCreateLog(a0, ordersId, small), 5);
    m.close();
    Files.writeString(d.resolve(LogManager.RECOVERY_POINT_CHECKPOINT_FILE), "0\n7\ngarbage\n");
    // bit rot inside batch 1: found only because the checkpoint is not trusted
    try (RandomAccessFile raf =
        new RandomAccessFile(
            d.resolve("orders-0").resolve(String.format("%020d.log", 0)).toFile(), "rw")) {
      raf.seek(BATCH + 80);
      raf.write(0x55);
    }
    LogManager again = manager(d);
    assertEquals(1, again.getLog(a0).orElseThrow().logEndOffset());
  }

  @Test
  void aLogDirectoryServesOneManager() {
    Path d = tmp.resolve("d");
    manager(d);
    LogManager second = new LogManager(List.of(d), LogManagerConfig.DEFAULT, scheduler, time);
    LogStorageException e = assertThrows(LogStorageException.class, second::startup);
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    assertThrows(IllegalStateException.class, managers.get(0)::startup);
  }

  @Test
  void aRecreatedTopicReplacesTheOldLog() throws Exception {
    Path d = tmp.resolve("d");
    LogManager m = manager(d);
    Log old = m.getOrCreateLog(a0, ordersId, small);
    append(old, 3);
    UUID newId = UUID.randomUUID();
    Log fresh = m.getOrCreateLog(a0, newId, small);
    assertEquals(0, fresh.logEndOffset());
    assertEquals(newId, fresh.topicId());
    assertEquals(1, countDirsEndingWith(d, LogManager.DELETE_DIR_SUFFIX));
    scheduler.advance(small.fileDeleteDelayMs());
    assertEquals(0, countDirsEndingWith(d, LogManager.DELETE_DIR_SUFFIX));
  }

  @Test
  void deleteLogRemovesTheDirectoryLater() throws Exception {
    Path d = tmp.resolve("d");
    LogManager m = manager(d);
    append(m.getOrCreateLog(a0, ordersId, small), 2);
    m.getOrCreateLog(a1, ordersId, small);
    m.deleteLog(a0);
    assertTrue(m.getLog(a0).isEmpty());
    assertFalse(Files.exists(d.resolve("orders-0")));
    assertEquals(1, countDirsEndingWith(d, "-delete"));
    assertEquals(
        Map.of(a1, 0L),
        new OffsetCheckpointFile(d.resolve(LogManager.RECOVERY_POINT_CHECKPOINT_FILE)).read());
    scheduler.advance(small.fileDeleteDelayMs());
    assertEquals(0, countDirsEndingWith(d, "-delete"));
    m.deleteLog(a0); // nothing left: no-op
  }

  @Test
  void retentionAndFlushRunInTheBackground() throws Exception {
    LogConfig cfg =
        small.toBuilder()
            .segmentBytes(BATCH)
            .retentionMs(10_000)
            .flushMs(2_000)
            .fileDeleteDelayMs(1_000)
            .build();
    LogManagerConfig mc = new LogManagerConfig(cfg, 1, 5_000, Long.MAX_VALUE, 60_000, 60_000);
    LogManager m = manager(mc, tmp.resolve("d"));
    Log log = m.getOrCreateLog(a0, ordersId, cfg);
    for (int i = 0; i < 3; i++) {
      log.appendAsLeader(batch(0, 1, time.milliseconds(), 39), 0);
    }
    log.updateHighWatermark(3);
    scheduler.runDue();
    // rolled segments are flushed in the background; the active one by flush.ms
    assertEquals(2, log.recoveryPoint());
    scheduler.advance(2_000);
    assertEquals(3, log.recoveryPoint());
    assertEquals(3, log.numberOfSegments());
    scheduler.advance(10_000);
    assertEquals(3, log.logStartOffset(), "everything expired");
    assertEquals(3, log.logEndOffset());
    assertEquals(1, log.numberOfSegments());
  }

  @Test
  void retentionWaitsForTheTopicConfigOfLogsLoadedAtStartup() throws Exception {
    // the broker default deletes after 10 s; the topic (compacted) keeps its segments
    LogConfig brokerDefault =
        small.toBuilder().segmentBytes(BATCH).retentionMs(10_000).fileDeleteDelayMs(1_000).build();
    LogConfig compacted = brokerDefault.toBuilder().cleanupPolicy("compact").build();
    LogManagerConfig mc =
        new LogManagerConfig(brokerDefault, 1, 5_000, Long.MAX_VALUE, 60_000, 60_000);
    Path d = tmp.resolve("d");
    LogManager m = manager(mc, d);
    Log log = m.getOrCreateLog(a0, ordersId, compacted);
    for (int i = 0; i < 3; i++) {
      log.appendAsLeader(keyedBatch(time.milliseconds()), 0);
    }
    log.updateHighWatermark(3);
    m.close();

    time.sleep(60_000);
    LogManager again = manager(mc, d);
    Log loaded = again.getLog(a0).orElseThrow();
    assertEquals(0, again.cleanupLogs(), "loaded with the broker default: retention waits");
    assertEquals(0, loaded.logStartOffset());
    assertSame(loaded, again.getOrCreateLog(a0, ordersId, compacted));
    assertEquals(0, again.cleanupLogs(), "the topic is compacted: nothing expires");
    assertEquals(0, loaded.logStartOffset());
    again.getOrCreateLog(a0, ordersId, brokerDefault);
    assertTrue(again.cleanupLogs() > 0, "with a delete policy retention applies again");
  }

  static java.nio.ByteBuffer keyedBatch(long timestamp) {
    io.brook.protocol.record.RecordBatchBuilder b =
        new io.brook.protocol.record.RecordBatchBuilder(
            io.brook.protocol.record.CompressionType.NONE,
            io.brook.protocol.record.TimestampType.CREATE_TIME,
            0,
            64);
    b.append(
        timestamp,
        "k".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "v".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        null);
    return b.build();
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static long countDirsEndingWith(Path d, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    }
  }
}
