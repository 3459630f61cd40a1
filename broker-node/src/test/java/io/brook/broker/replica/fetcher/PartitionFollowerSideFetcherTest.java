package io.brook.broker.replica.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.broker.replica.ApiException;
import io.brook.broker.replica.Partition;
import io.brook.broker.testing.Batches;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follower section of {@link Partition}: writes only while a follower of the given epoch. */
class PartitionFollowerSideFetcherTest {
  static final TopicPartition TP = new TopicPartition("orders", 0);

  @TempDir Path tmp;
  ThreadPoolScheduler scheduler;
  Log leaderLog;
  Log followerLog;
  Partition partition;

  @BeforeEach
  void open() throws Exception {
    scheduler = new ThreadPoolScheduler("partition-test", 1);
    leaderLog = openLog("leader");
    followerLog = openLog("follower");
    for (int i = 0; i < 4; i++) {
      leaderLog.appendAsLeader(ByteBuffer.wrap(Batches.of(2, 1000 + i).toByteArray()), 5);
    }
    partition = new Partition(TP, 2, followerLog, 1);
    assertTrue(partition.applyState(1, 5, 0, List.of(1, 2), List.of(1, 2)));
  }

  @AfterEach
  void close() {
    leaderLog.close();
    followerLog.close();
    scheduler.close();
  }

  Log openLog(String broker) throws Exception {
    return Log.open(
        tmp.resolve(broker).resolve(TP.toString()),
        UUID.randomUUID(),
        LogConfig.DEFAULT,
        0,
        0,
        false,
        scheduler,
        Time.SYSTEM);
  }

  ByteBuffer fromLeader(long offset) {
    return leaderLog.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
  }

  @Test
  void followerOfTheEpochAppendsTruncatesAndTakesTheLeadersHighWatermark() {
    partition.appendAsFollower(fromLeader(0), 5);
    assertEquals(8, followerLog.logEndOffset());
    assertEquals(5, followerLog.latestEpoch().getAsInt());
    partition.updateFollowerHighWatermark(100, 5);
    assertEquals(8, followerLog.highWatermark(), "never above the log end");
    partition.updateFollowerHighWatermark(4, 5);
    assertEquals(4, followerLog.highWatermark());
    partition.truncateTo(6, 5);
    assertEquals(6, followerLog.logEndOffset());
    partition.truncateFullyAndStartAt(40, 5);
    assertEquals(40, followerLog.logStartOffset());
  }

  @Test
  void everyWriteIsRefusedOnceNoLongerAFollowerOfThatEpoch() {
    partition.appendAsFollower(fromLeader(0), 5);
    List<Consumer<Integer>> writes =
        List.of(
            e -> partition.appendAsFollower(fromLeader(8), e),
            e -> partition.truncateTo(2, e),
            e -> partition.truncateFullyAndStartAt(50, e),
            e -> partition.updateFollowerHighWatermark(8, e));
    // A newer epoch (still following broker 1): the old epoch's fetcher is refused.
    assertTrue(partition.applyState(1, 6, 1, List.of(1, 2), List.of(1, 2)));
    assertRefused(writes, 5);
    // This broker became the leader.
    assertTrue(partition.applyState(2, 7, 2, List.of(2), List.of(1, 2)));
    assertRefused(writes, 7);
    // Stopped.
    assertTrue(partition.applyState(1, 8, 3, List.of(1, 2), List.of(1, 2)));
    partition.stop();
    assertRefused(writes, 8);
    assertEquals(8, followerLog.logEndOffset());
    assertEquals(0, followerLog.logStartOffset());
  }

  static void assertRefused(List<Consumer<Integer>> writes, int epoch) {
    for (Consumer<Integer> w : writes) {
      ApiException e = assertThrows(ApiException.class, () -> w.accept(epoch));
      assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, e.code());
    }
  }
}
