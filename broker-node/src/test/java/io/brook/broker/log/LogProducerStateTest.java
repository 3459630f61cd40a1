package io.brook.broker.log;

import static io.brook.broker.log.LogTest.BATCH;
import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.producerBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.internals.ProducerStateEntry;
import io.brook.broker.replica.ErrorMapper;
import io.brook.common.MockTime;
import io.brook.protocol.v1.ErrorCode;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent producers on real files: duplicates, sequence and epoch checks, the state across clean
 * and unclean restarts, truncation, retention and expiry. Batches are 100 bytes; a segment holds 4.
 * {@link #sixBatches} fills segments 0 (offsets 0..5), 6 (6..11) and 12 (12..17).
 */
class LogProducerStateTest {
  static final long PID = 1000L;
  static final short EPOCH = 0;

  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<Log> opened = new ArrayList<>();
  final LogConfig config = LogConfig.builder().segmentBytes(4 * BATCH).build();

  @AfterEach
  void closeLogs() {
    opened.forEach(Log::close);
  }

  Path dir() {
    return tmp.resolve("payments-2");
  }

  Log open(long recoveryPoint, boolean clean) throws Exception {
    Log l = Log.open(dir(), UUID.randomUUID(), config, 0, recoveryPoint, clean, scheduler, time);
    opened.add(l);
    return l;
  }

  ByteBuffer send(short epoch, int baseSeq, int count) {
    return producerBatch(PID, epoch, baseSeq, count, time.milliseconds());
  }

  ByteBuffer plain() {
    return batch(0, 1, time.milliseconds(), 39);
  }

  /**
   * Six batches of two records, sequences 0..11, each after an unrelated batch (so offsets and
   * sequences differ): returns their append infos.
   */
  List<LogAppendInfo> sixBatches(Log log) {
    List<LogAppendInfo> infos = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      log.appendAsLeader(plain(), 1);
      infos.add(log.appendAsLeader(send(EPOCH, 2 * i, 2), 1));
    }
    return infos;
  }

  void assertDuplicatesOfTheLastFive(Log log, List<LogAppendInfo> infos) {
    long end = log.logEndOffset();
    for (int i = 1; i < 6; i++) {
      LogAppendInfo dup = log.appendAsLeader(send(EPOCH, 2 * i, 2), 1);
      assertTrue(dup.duplicate(), "batch " + i + " is a duplicate");
      assertEquals(infos.get(i).firstOffset(), dup.firstOffset(), "first offset of batch " + i);
      assertEquals(infos.get(i).lastOffset(), dup.lastOffset(), "last offset of batch " + i);
      assertEquals(end, log.logEndOffset(), "nothing appended for batch " + i);
    }
  }

  @Test
  void duplicatesOfTheLastFiveBatchesAnswerTheOriginalOffsets() throws Exception {
    Log log = open(0, false);
    List<LogAppendInfo> infos = sixBatches(log);
    assertFalse(infos.get(5).duplicate());
    assertEquals(16, infos.get(5).firstOffset());
    assertDuplicatesOfTheLastFive(log, infos);
    // the sixth-oldest is no longer remembered: it is out of order, not a duplicate
    long end = log.logEndOffset();
    OutOfOrderSequenceException e =
        assertThrows(
            OutOfOrderSequenceException.class, () -> log.appendAsLeader(send(EPOCH, 0, 2), 1));
    assertTrue(e.getMessage().contains("0 (incoming seq. number), 11"), e.getMessage());
    assertEquals(end, log.logEndOffset());
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, ErrorMapper.code(e));
    // the next in sequence is accepted
    assertEquals(end, log.appendAsLeader(send(EPOCH, 12, 1), 1).firstOffset());
  }

  @Test
  void aGapIsOutOfOrder() throws Exception {
    Log log = open(0, false);
    log.appendAsLeader(send(EPOCH, 0, 3), 1);
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(send(EPOCH, 4, 1), 1));
    assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(send(EPOCH, 2, 2), 1));
    assertEquals(3, log.logEndOffset());
    assertFalse(log.appendAsLeader(send(EPOCH, 3, 1), 1).duplicate());
  }

  @Test
  void anUnknownProducerMayStartAtAnySequence() throws Exception {
    Log log = open(0, false);
    assertEquals(0, log.appendAsLeader(send((short) 3, 17, 2), 1).firstOffset());
    assertEquals(19, log.producerState().lastEntry(PID).lastSeq() + 1);
  }

  @Test
  void epochs() throws Exception {
    Log log = open(0, false);
    log.appendAsLeader(send((short) 2, 0, 2), 1);
    InvalidProducerEpochException older =
        assertThrows(
            InvalidProducerEpochException.class,
            () -> log.appendAsLeader(send((short) 1, 2, 1), 1));
    assertEquals(ErrorCode.INVALID_PRODUCER_EPOCH, ErrorMapper.code(older));
    assertThrows(
        OutOfOrderSequenceException.class,
        () -> log.appendAsLeader(send((short) 3, 2, 1), 1),
        "a new epoch must start at sequence 0");
    assertEquals(2, log.logEndOffset());
    assertFalse(log.appendAsLeader(send((short) 3, 0, 1), 1).duplicate(), "new epoch at 0");
    assertThrows(
        InvalidProducerEpochException.class,
        () -> log.appendAsLeader(send((short) 2, 2, 1), 1),
        "the old epoch is fenced now");
    assertEquals(3, log.logEndOffset());
  }

  @Test
  void sequencesWrapAroundAfterIntegerMax() throws Exception {
    Log log = open(0, false);
    log.appendAsLeader(send(EPOCH, Integer.MAX_VALUE - 1, 3), 1); // sequences MAX-1, MAX, 0
    assertEquals(0, log.producerState().lastEntry(PID).lastSeq());
    assertEquals(3, log.appendAsLeader(send(EPOCH, 1, 1), 1).firstOffset());
    assertTrue(log.appendAsLeader(send(EPOCH, Integer.MAX_VALUE - 1, 3), 1).duplicate());
  }

  @Test
  void twoBatchesOfOneProducerInOneAppendAreCheckedInOrder() throws Exception {
    Log log = open(0, false);
    log.appendAsLeader(send(EPOCH, 0, 1), 1);
    log.appendAsLeader(TestBatches.concat(send(EPOCH, 1, 2), send(EPOCH, 3, 1)), 1);
    assertEquals(4, log.logEndOffset());
    assertThrows(
        OutOfOrderSequenceException.class,
        () -> log.appendAsLeader(TestBatches.concat(send(EPOCH, 4, 1), send(EPOCH, 6, 1)), 1));
    assertEquals(4, log.logEndOffset(), "nothing of a refused append");
  }

  @Test
  void stateSurvivesACleanRestartThroughTheSnapshot() throws Exception {
    Log log = open(0, false);
    List<LogAppendInfo> infos = sixBatches(log);
    long end = log.logEndOffset();
    log.close();
    assertTrue(Files.exists(dir().resolve(String.format("%020d.snapshot", end))));
    Log again = open(end, true);
    assertEquals(end, again.producerState().mapEndOffset());
    assertDuplicatesOfTheLastFive(again, infos);
    assertThrows(
        OutOfOrderSequenceException.class, () -> again.appendAsLeader(send(EPOCH, 13, 1), 1));
    assertFalse(again.appendAsLeader(send(EPOCH, 12, 1), 1).duplicate());
  }

  @Test
  void stateSurvivesACrashByReplayingTheBatchHeaders() throws Exception {
    Log log = open(0, false);
    List<LogAppendInfo> infos = sixBatches(log); // 12 batches: rolls at 6 and 12 take snapshots
    assertEquals(Set.of(6L, 12L), snapshotFiles());
    // crash: no close; recovery from 0 cannot use any snapshot
    Log again = open(0, false);
    assertDuplicatesOfTheLastFive(again, infos);
    assertFalse(again.appendAsLeader(send(EPOCH, 12, 1), 1).duplicate());
  }

  @Test
  void crashRecoveryStartsFromTheLatestSnapshotAtOrBelowTheRecoveryPoint() throws Exception {
    Log log = open(0, false);
    List<LogAppendInfo> infos = sixBatches(log);
    // the snapshot at 12 plus the batches from 12 on replayed
    Log again = open(13, false);
    assertEquals(Set.of(6L, 12L), again.producerState().snapshotOffsets());
    assertDuplicatesOfTheLastFive(again, infos);
  }

  @Test
  void aCorruptSnapshotIsDeletedAndTheStateReplayed() throws Exception {
    Log log = open(0, false);
    List<LogAppendInfo> infos = sixBatches(log);
    long end = log.logEndOffset();
    log.close();
    Path snap = dir().resolve(String.format("%020d.snapshot", end));
    try (RandomAccessFile raf = new RandomAccessFile(snap.toFile(), "rw")) {
      raf.seek(12);
      raf.write(0x7f);
    }
    Log again = open(end, true);
    assertFalse(Files.exists(snap) && again.producerState().snapshotOffsets().contains(end));
    assertDuplicatesOfTheLastFive(again, infos);
  }

  @Test
  void truncationRebuildsTheStateSoAResentBatchIsAcceptedAgain() throws Exception {
    Log log = open(0, false);
    List<LogAppendInfo> infos = sixBatches(log); // snapshots at 6 and 12
    long cut = infos.get(3).firstOffset(); // offset 10: batches of sequences 6.. go
    log.truncateTo(cut);
    assertEquals(cut, log.logEndOffset());
    assertEquals(Set.of(6L), snapshotFiles(), "the snapshot past the new end is gone");
    assertEquals(5, log.producerState().lastEntry(PID).lastSeq());
    LogAppendInfo again = log.appendAsLeader(send(EPOCH, 6, 2), 2);
    assertFalse(again.duplicate());
    assertEquals(cut, again.firstOffset());
    // and the batches before the cut are still duplicates
    assertEquals(
        infos.get(2).firstOffset(), log.appendAsLeader(send(EPOCH, 4, 2), 2).firstOffset());
  }

  @Test
  void truncateFullyForgetsEverything() throws Exception {
    Log log = open(0, false);
    sixBatches(log);
    log.truncateFullyAndStartAt(100);
    assertEquals(Set.of(), snapshotFiles());
    assertNull(log.producerState().lastEntry(PID));
    assertEquals(100, log.appendAsLeader(send(EPOCH, 40, 1), 3).firstOffset(), "unknown again");
  }

  @Test
  void followerAppendsUpdateTheStateWithoutChecks() throws Exception {
    Log leader = open(0, false);
    leader.appendAsLeader(send(EPOCH, 0, 2), 1);
    leader.appendAsLeader(send(EPOCH, 2, 2), 1);
    Log follower =
        Log.open(
            tmp.resolve("payments-3"), UUID.randomUUID(), config, 0, 0, false, scheduler, time);
    opened.add(follower);
    follower.appendAsFollower(LogTest.readAll(leader));
    // a gap the leader allowed (e.g. it had expired the producer) is followed as is
    ByteBuffer gap = send(EPOCH, 9, 1);
    gap.putLong(0, 4L);
    follower.appendAsFollower(gap);
    assertEquals(9, follower.producerState().lastEntry(PID).lastSeq());
    // after a leader change the follower recognizes a retry
    LogAppendInfo dup = follower.appendAsLeader(send(EPOCH, 2, 2), 2);
    assertTrue(dup.duplicate());
    assertEquals(2, dup.firstOffset());
    assertEquals(3, dup.lastOffset());
  }

  @Test
  void idleProducersExpire() throws Exception {
    Log log = open(0, false);
    log.appendAsLeader(send(EPOCH, 0, 1), 1);
    time.sleep(1000);
    log.appendAsLeader(producerBatch(PID + 1, EPOCH, 0, 1, time.milliseconds()), 1);
    assertEquals(1, log.removeExpiredProducers(1000), "only the idle one");
    assertNull(log.producerState().lastEntry(PID));
    assertEquals(2, log.appendAsLeader(send(EPOCH, 7, 1), 1).firstOffset(), "unknown again");
    assertThrows(
        OutOfOrderSequenceException.class,
        () -> log.appendAsLeader(producerBatch(PID + 1, EPOCH, 5, 1, time.milliseconds()), 1));
  }

  @Test
  void logManagerExpiresProducersOnItsSchedule() throws Exception {
    LogManagerConfig mc =
        LogManagerConfig.DEFAULT.withDefaultLogConfig(config).withProducerIdExpiration(5000, 1000);
    LogManager manager = new LogManager(List.of(tmp.resolve("data")), mc, scheduler, time);
    manager.startup();
    try {
      Log log =
          manager.getOrCreateLog(
              new io.brook.common.TopicPartition("t", 0), UUID.randomUUID(), config);
      log.appendAsLeader(send(EPOCH, 0, 1), 1);
      scheduler.advance(4000);
      assertTrue(log.producerState().lastEntry(PID) != null);
      scheduler.advance(2000);
      assertNull(log.producerState().lastEntry(PID));
    } finally {
      manager.close();
    }
  }

  @Test
  void retentionDeletesTheSnapshotsOfDeletedSegments() throws Exception {
    Log log = open(0, false);
    log.updateConfig(config.toBuilder().retentionBytes(4 * BATCH).build());
    sixBatches(log); // segments 0, 6, 12
    log.updateHighWatermark(log.logEndOffset());
    log.deleteOldSegments();
    assertEquals(12, log.logStartOffset());
    assertEquals(Set.of(12L), snapshotFiles());
    assertTrue(
        log.appendAsLeader(send(EPOCH, 10, 2), 1).duplicate(), "producers outlive retention");
  }

  Set<Long> snapshotFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".snapshot"))
          .map(n -> Long.parseLong(n.substring(0, 20)))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void snapshotHoldsEveryRetainedBatch() throws Exception {
    Log log = open(0, false);
    sixBatches(log);
    List<ProducerStateEntry.BatchMetadata> before = log.producerState().lastEntry(PID).batches();
    assertEquals(5, before.size());
    long end = log.logEndOffset();
    log.close();
    Log again = open(end, true);
    assertEquals(before, again.producerState().lastEntry(PID).batches());
  }
}
