package io.brook.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.broker.metrics.ReplicaMetricsListener;
import io.brook.broker.testing.Batches;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopicResult;
import io.brook.protocol.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a partition tells its metrics listener: ISR shrinks and expands once the controller commits
 * them (not when proposed, not when refused), and the bytes it appends as a follower.
 */
class PartitionMetricsTest {
  static final long LAG = 1000;
  @TempDir Path dir;
  final MockTime time = new MockTime();
  final ThreadPoolScheduler scheduler = new ThreadPoolScheduler("test", 1);
  final List<CompletableFuture<AlterPartitionResponse>> answers = new ArrayList<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  final TopicPartition tp = new TopicPartition("t", 0);
  Log log;

  final ReplicaMetricsListener listener =
      new ReplicaMetricsListener() {
        @Override
        public void onReplicationBytesIn(String topic, long bytes) {
          events.add("replication-in " + topic + " " + bytes);
        }

        @Override
        public void onIsrShrink(TopicPartition p) {
          events.add("shrink " + p);
        }

        @Override
        public void onIsrExpand(TopicPartition p) {
          events.add("expand " + p);
        }
      };

  @BeforeEach
  void open() throws Exception {
    log =
        Log.open(
            dir.resolve("t-0"), UUID.randomUUID(), LogConfig.DEFAULT, 0, 0, false, scheduler, time);
  }

  @AfterEach
  void close() {
    log.close();
    scheduler.close();
  }

  Partition partition() {
    Partition.Context ctx =
        new Partition.Context(
            time,
            LAG,
            req -> {
              CompletableFuture<AlterPartitionResponse> f = new CompletableFuture<>();
              answers.add(f);
              return f;
            },
            () -> 7L,
            p -> {});
    Partition p = new Partition(tp, 1, log, 1, ctx);
    p.setMetricsListener(listener);
    return p;
  }

  static ByteBuffer records(int n) {
    return ByteBuffer.wrap(Batches.of(n, 1000).toByteArray());
  }

  static AlterPartitionResponse answer(ErrorCode error, List<Integer> isr, int partitionEpoch) {
    return AlterPartitionResponse.newBuilder()
        .addTopics(
            AlterPartitionTopicResult.newBuilder()
                .setTopic("t")
                .addPartitions(
                    AlterPartitionResult.newBuilder()
                        .setPartition(0)
                        .setError(error)
                        .setLeader(1)
                        .setLeaderEpoch(2)
                        .addAllIsr(isr)
                        .setPartitionEpoch(partitionEpoch)))
        .build();
  }

  @Test
  void committedShrinkAndExpandAreCountedRefusedOnesAreNot() {
    Partition p = partition();
    p.applyState(1, 2, 4, List.of(1, 2, 3), List.of(1, 2, 3));
    p.appendAsLeader(records(3), 1);
    p.updateFollowerFetchState(2, 3, time.milliseconds());
    time.advance(LAG + 1);
    p.updateFollowerFetchState(2, 3, time.milliseconds());
    assertTrue(p.maybeShrinkIsr(), "3 lags");
    assertEquals(List.of(), events, "proposed, not committed");
    answers.get(0).complete(answer(ErrorCode.NONE, List.of(1, 2), 5));
    assertEquals(List.of("shrink t-0"), events);

    // 3 catches up: the expansion is proposed; a refusal counts nothing, the commit counts one.
    p.updateFollowerFetchState(3, 3, time.milliseconds());
    assertEquals(2, answers.size(), "expansion proposed");
    answers.get(1).complete(answer(ErrorCode.INVALID_UPDATE_VERSION, List.of(1, 2), 5));
    assertEquals(List.of("shrink t-0"), events);
    p.applyState(1, 2, 6, List.of(1, 2), List.of(1, 2, 3)); // the controller's newer state
    p.updateFollowerFetchState(3, 3, time.milliseconds());
    answers.get(answers.size() - 1).complete(answer(ErrorCode.NONE, List.of(1, 2, 3), 7));
    assertEquals(List.of("shrink t-0", "expand t-0"), events);
  }

  @Test
  void followerAppendsCountReplicationBytesIn() {
    Partition p = partition();
    p.applyState(2, 5, 1, List.of(1, 2), List.of(1, 2));
    ByteBuffer batch = records(4);
    int size = batch.remaining();
    p.appendAsFollower(batch, 5);
    assertEquals(List.of("replication-in t " + size), events);
  }
}
