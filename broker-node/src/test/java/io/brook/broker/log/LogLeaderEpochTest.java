package io.brook.broker.log;

import static io.brook.broker.log.LogTest.BATCH;
import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.MockTime;
import io.brook.protocol.record.RecordBatch;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's leader epoch cache on real files: what appends record, what truncation, retention and
 * recovery do to it, and the {@code leader-epoch-checkpoint} file across restarts. Batches hold one
 * record of 100 bytes; 3 fit a segment.
 */
class LogLeaderEpochTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<Log> opened = new ArrayList<>();
  final LogConfig config = LogConfig.builder().segmentBytes(3 * BATCH).build();

  @AfterEach
  void closeLogs() {
    opened.forEach(Log::close);
  }

  Path dir() {
    return tmp.resolve("events-0");
  }

  Path checkpoint() {
    return dir().resolve("leader-epoch-checkpoint");
  }

  Log open(Path dir, long recoveryPoint, boolean clean) throws Exception {
    Log l = Log.open(dir, UUID.randomUUID(), config, 0, recoveryPoint, clean, scheduler, time);
    opened.add(l);
    return l;
  }

  Log open() throws Exception {
    return open(dir(), 0, false);
  }

  ByteBuffer one() {
    return batch(0, 1, time.milliseconds(), 39);
  }

  /** Appends one-record batches: {@code epochs[i]} is the leader epoch of offset i. */
  void appendWithEpochs(Log log, int... epochs) {
    for (int e : epochs) {
      log.appendAsLeader(batch(0, 1, time.milliseconds(), 39), e);
    }
  }

  String checkpointText() throws Exception {
    return Files.readString(checkpoint(), StandardCharsets.UTF_8);
  }

  @Test
  void appendsAsLeaderRecordTheFirstOffsetOfEachNewEpoch() throws Exception {
    Log log = open();
    assertEquals(OptionalInt.empty(), log.latestEpoch());
    assertEquals(new OffsetAndEpoch(-1, -1), log.endOffsetForEpoch(0));
    appendWithEpochs(log, 1, 1, 1, 3, 3);
    assertEquals(OptionalInt.of(3), log.latestEpoch());
    assertEquals("0\n2\n1 0\n3 3\n", checkpointText());
    assertEquals(new OffsetAndEpoch(0, 0), log.endOffsetForEpoch(0), "below the first epoch");
    assertEquals(new OffsetAndEpoch(3, 1), log.endOffsetForEpoch(1));
    assertEquals(new OffsetAndEpoch(3, 1), log.endOffsetForEpoch(2), "between epochs");
    assertEquals(new OffsetAndEpoch(5, 3), log.endOffsetForEpoch(3), "latest: the log end");
    assertEquals(new OffsetAndEpoch(-1, -1), log.endOffsetForEpoch(4), "above the latest");
  }

  @Test
  void checkpointSurvivesACleanRestart() throws Exception {
    Log log = open();
    appendWithEpochs(log, 0, 0, 2, 2, 5);
    log.close();
    Log again = open(dir(), 5, true);
    assertEquals(OptionalInt.of(5), again.latestEpoch());
    assertEquals(new OffsetAndEpoch(4, 2), again.endOffsetForEpoch(3));
    assertEquals("0\n3\n0 0\n2 2\n5 4\n", checkpointText());
  }

  @Test
  void followerRecordsTheEpochsTheLeaderStamped() throws Exception {
    Log leader = open(tmp.resolve("events-1"), 0, false);
    appendWithEpochs(leader, 1, 1, 4, 4, 4, 6);
    Log follower = open();
    ByteBuffer all = LogTest.readAll(leader);
    // two fetches: offsets 0..2, then 3..5
    follower.appendAsFollower(all.duplicate().position(0).limit(3 * BATCH).slice());
    assertEquals(OptionalInt.of(4), follower.latestEpoch());
    follower.appendAsFollower(all.duplicate().position(3 * BATCH).slice());
    assertEquals(6, follower.logEndOffset());
    assertArrayEquals(bytes(all), bytes(LogTest.readAll(follower)), "identical bytes");
    assertEquals(leader.leaderEpochCache().entries(), follower.leaderEpochCache().entries());
    assertEquals(new OffsetAndEpoch(5, 4), follower.endOffsetForEpoch(5));
    assertEquals(new OffsetAndEpoch(6, 6), follower.endOffsetForEpoch(6));
  }

  @Test
  void followerRefusesABatchThatDoesNotStartAtTheLogEnd() throws Exception {
    Log leader = open(tmp.resolve("events-1"), 0, false);
    appendWithEpochs(leader, 1, 1, 1);
    ByteBuffer all = LogTest.readAll(leader);
    Log follower = open();
    ByteBuffer second = all.duplicate().position(BATCH).limit(2 * BATCH).slice();
    assertThrows(UnexpectedAppendOffsetException.class, () -> follower.appendAsFollower(second));
    assertEquals(0, follower.logEndOffset());
    assertEquals(OptionalInt.empty(), follower.latestEpoch(), "no epoch from a refused batch");
    follower.appendAsFollower(all.duplicate().position(0).limit(BATCH).slice());
    assertThrows(
        UnexpectedAppendOffsetException.class,
        () -> follower.appendAsFollower(all.duplicate().position(0).limit(BATCH).slice()),
        "a batch already in the log");
    assertEquals(1, follower.logEndOffset());
  }

  @Test
  void truncationDropsLaterEpochsAndClampsTheHighWatermark() throws Exception {
    Log log = open();
    appendWithEpochs(log, 1, 1, 2, 2, 3, 3);
    log.updateHighWatermark(6);
    log.truncateTo(4);
    assertEquals(4, log.logEndOffset());
    assertEquals(4, log.highWatermark(), "HW clamped to the new log end");
    assertEquals(OptionalInt.of(2), log.latestEpoch());
    assertEquals(new OffsetAndEpoch(4, 2), log.endOffsetForEpoch(2));
    assertEquals(new OffsetAndEpoch(-1, -1), log.endOffsetForEpoch(3));
    assertEquals("0\n2\n1 0\n2 2\n", checkpointText());
    log.truncateTo(2);
    assertEquals(OptionalInt.of(1), log.latestEpoch());
    assertEquals(2, log.highWatermark());
    // a new leader appends under epoch 4 from offset 2
    appendWithEpochs(log, 4);
    assertEquals(new OffsetAndEpoch(2, 1), log.endOffsetForEpoch(1));
    assertEquals(new OffsetAndEpoch(2, 1), log.endOffsetForEpoch(3));
  }

  @Test
  void truncateFullyClearsTheEpochs() throws Exception {
    Log log = open();
    appendWithEpochs(log, 1, 2);
    log.truncateFullyAndStartAt(10);
    assertEquals(OptionalInt.empty(), log.latestEpoch());
    assertEquals("0\n0\n", checkpointText());
    appendWithEpochs(log, 7);
    assertEquals("0\n1\n7 10\n", checkpointText());
  }

  @Test
  void retentionMovesTheFirstEpochToTheNewLogStart() throws Exception {
    Log log = open();
    log.updateConfig(config.toBuilder().retentionBytes(BATCH).build());
    appendWithEpochs(log, 1, 1, 1, 1, 2, 2, 2);
    log.updateHighWatermark(log.logEndOffset());
    assertEquals(List.of(0L, 3L, 6L), log.segmentBaseOffsets());
    assertTrue(log.deleteOldSegments() > 0);
    assertEquals(6, log.logStartOffset());
    assertEquals("0\n1\n2 6\n", checkpointText());
    assertEquals(new OffsetAndEpoch(6, 1), log.endOffsetForEpoch(1), "before the first epoch");
  }

  @Test
  void retentionKeepsTheEpochThatHoldsTheNewLogStart() throws Exception {
    Log log = open();
    log.updateConfig(config.toBuilder().retentionBytes(3 * BATCH).build());
    appendWithEpochs(log, 1, 1, 1, 1, 2, 2, 2);
    log.updateHighWatermark(log.logEndOffset());
    log.deleteOldSegments();
    assertEquals(3, log.logStartOffset());
    assertEquals("0\n2\n1 3\n2 4\n", checkpointText());
  }

  @Test
  void recoveryOfATornLastBatchTrimsItsEpoch() throws Exception {
    Log log = open();
    appendWithEpochs(log, 1, 1, 2, 2, 3); // segments 0 (0..2), 3 (3..4)
    assertEquals("0\n3\n1 0\n2 2\n3 4\n", checkpointText());
    // a crash tears the last batch (epoch 3)
    try (RandomAccessFile raf =
        new RandomAccessFile(dir().resolve(String.format("%020d.log", 3)).toFile(), "rw")) {
      raf.setLength(BATCH + 40);
    }
    Log again = open(dir(), 0, false);
    assertEquals(4, again.logEndOffset());
    assertEquals(OptionalInt.of(2), again.latestEpoch());
    assertEquals(new OffsetAndEpoch(-1, -1), again.endOffsetForEpoch(3));
    assertEquals("0\n2\n1 0\n2 2\n", checkpointText());
  }

  @Test
  void epochsWrittenAfterTheCheckpointAreRecoveredFromTheBatches() throws Exception {
    Log log = open();
    appendWithEpochs(log, 1, 1, 2, 5);
    // a crash after the append but before the checkpoint recorded epochs 2 and 5
    Files.writeString(checkpoint(), "0\n1\n1 0\n");
    Log again = open(dir(), 1, false);
    assertEquals(OptionalInt.of(5), again.latestEpoch());
    assertEquals("0\n3\n1 0\n2 2\n5 3\n", checkpointText());
  }

  @Test
  void missingCheckpointIsRebuiltFromTheBatchHeaders() throws Exception {
    Log log = open();
    appendWithEpochs(log, 0, 0, 0, 1, 1, 4, 4);
    List<?> before = log.leaderEpochCache().entries();
    log.close();
    Files.delete(checkpoint());
    Log again = open(dir(), 7, true);
    assertEquals(before, again.leaderEpochCache().entries());
    assertEquals("0\n3\n0 0\n1 3\n4 5\n", checkpointText());
    assertEquals(new OffsetAndEpoch(5, 1), again.endOffsetForEpoch(2));
  }

  @Test
  void aNewLeaderRecordsItsEpochBeforeItsFirstAppend() throws Exception {
    Log log = open();
    appendWithEpochs(log, 1, 1);
    log.assignEpochStartOffset(2, log.logEndOffset());
    assertEquals(OptionalInt.of(2), log.latestEpoch());
    assertEquals(new OffsetAndEpoch(2, 1), log.endOffsetForEpoch(1));
    assertEquals(new OffsetAndEpoch(2, 2), log.endOffsetForEpoch(2));
    log.assignEpochStartOffset(1, 2); // older: ignored
    assertEquals(OptionalInt.of(2), log.latestEpoch());
    assertThrows(IllegalArgumentException.class, () -> log.assignEpochStartOffset(3, 5));
    appendWithEpochs(log, 2);
    assertEquals("0\n2\n1 0\n2 2\n", checkpointText());
  }

  /**
   * A broker led epoch 2 from offset 2 but appended nothing before epoch 3 began elsewhere, at the
   * same offset: the new leader's answer for epoch 2 is "epoch 1 ends at 2". Truncating to its own
   * log end must drop the empty epoch, or the follower would ask about epoch 2 forever (the fault
   * suite's zookeeper-partition scenario found exactly that: a follower stuck at its log end).
   */
  @Test
  void truncatingToTheLogEndDropsAnEpochThatStartsThere() throws Exception {
    Log log = open();
    appendWithEpochs(log, 1, 1);
    log.assignEpochStartOffset(2, log.logEndOffset());
    assertEquals(OptionalInt.of(2), log.latestEpoch());
    log.truncateTo(2);
    assertEquals(2, log.logEndOffset());
    assertEquals(OptionalInt.of(1), log.latestEpoch());
    assertEquals("0\n1\n1 0\n", checkpointText());
    log.truncateTo(5); // beyond the end: still nothing cut
    assertEquals(2, log.logEndOffset());
    assertEquals(OptionalInt.of(1), log.latestEpoch());
  }

  @Test
  void batchesWithoutAnEpochRecordNone() throws Exception {
    Log log = open();
    // a batch written by the previous version, epoch -1, replicated as is
    log.appendAsFollower(batch(0, 1, 1000, 39));
    assertEquals(OptionalInt.empty(), log.latestEpoch());
    appendWithEpochs(log, 3);
    assertEquals(OptionalInt.of(3), log.latestEpoch());
    assertEquals(new OffsetAndEpoch(1, 2), log.endOffsetForEpoch(2));
    assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, -1);
  }
}
