package io.brook.broker.log;

import static io.brook.broker.log.TestBatches.batch;
import static io.brook.broker.log.TestBatches.producerBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.broker.log.internals.LeaderEpochCheckpointFile.EpochEntry;
import io.brook.broker.log.internals.ProducerStateEntry;
import io.brook.broker.log.internals.ProducerStateEntry.BatchMetadata;
import io.brook.common.MockTime;
import io.brook.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded simulation: random appends (leader epochs rising, idempotent producers and plain
 * batches), truncations, rolls, clean restarts and crashes; after every step the leader epoch cache
 * and the producer state must equal what the batches in the log say (a model recomputed from every
 * batch header).
 */
class LogReplicationStateSimulationTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);
  final List<Log> opened = new ArrayList<>();
  final LogConfig config = LogConfig.builder().segmentBytes(5 * LogTest.BATCH).build();

  @AfterEach
  void closeLogs() {
    opened.forEach(Log::closeWithoutFlush);
  }

  Log open(long recoveryPoint, boolean clean) throws Exception {
    Log l =
        Log.open(
            tmp.resolve("sim-0"),
            UUID.randomUUID(),
            config,
            0,
            recoveryPoint,
            clean,
            scheduler,
            time);
    opened.add(l);
    return l;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void stateAlwaysMatchesTheBatches(long seed) throws Exception {
    Random random = new Random(seed);
    Log log = open(0, false);
    int leaderEpoch = 0;
    for (int step = 0; step < 150; step++) {
      int op = random.nextInt(100);
      String what;
      if (op < 70) {
        if (random.nextInt(10) == 0) {
          leaderEpoch++;
        }
        long pid = random.nextInt(4) - 1; // -1: a plain batch
        int count = 1 + random.nextInt(3);
        ByteBuffer b;
        if (pid < 0) {
          b = batch(0, count, time.milliseconds(), 39);
        } else {
          ProducerStateEntry e = log.producerState().lastEntry(pid);
          short epoch = e == null ? 0 : e.producerEpoch();
          int seq = e == null ? 0 : e.lastSeq() + 1;
          if (random.nextInt(8) == 0) {
            epoch++;
            seq = 0;
          }
          b = producerBatch(pid, epoch, seq, count, time.milliseconds());
        }
        log.appendAsLeader(b, leaderEpoch);
        what = "append epoch " + leaderEpoch + " pid " + pid;
      } else if (op < 82) {
        long to = log.logEndOffset() == 0 ? 0 : random.nextLong(log.logEndOffset() + 1);
        log.truncateTo(to);
        what = "truncate to " + to;
      } else if (op < 88) {
        log.roll();
        what = "roll";
      } else if (op < 94) {
        long end = log.logEndOffset();
        log.close();
        log = open(end, true);
        what = "clean restart";
      } else {
        // a crash: the log is abandoned (its files stay as they are) and recovered
        log.flush();
        long rp = log.logEndOffset() == 0 ? 0 : random.nextLong(log.logEndOffset() + 1);
        log = open(rp, false);
        what = "crash, recovery from " + rp;
      }
      time.sleep(1);
      String context = "seed " + seed + " step " + step + " (" + what + ")";
      assertEquals(modelEpochs(log), log.leaderEpochCache().entries(), "epochs after " + context);
      assertEquals(modelProducers(log), producers(log), "producers after " + context);
    }
  }

  /** The first offset of every rising epoch, from the batches. */
  static List<EpochEntry> modelEpochs(Log log) {
    List<EpochEntry> r = new ArrayList<>();
    int latest = -1;
    for (RecordBatch b : batches(log)) {
      if (b.partitionLeaderEpoch() > latest) {
        latest = b.partitionLeaderEpoch();
        r.add(new EpochEntry(latest, b.baseOffset()));
      }
    }
    return r;
  }

  /** Per producer: epoch and its last five batches of that epoch, from the batches. */
  static Map<Long, String> modelProducers(Log log) {
    Map<Long, Short> epochs = new HashMap<>();
    Map<Long, ArrayDeque<BatchMetadata>> last = new HashMap<>();
    for (RecordBatch b : batches(log)) {
      long pid = b.producerId();
      if (pid < 0) {
        continue;
      }
      ArrayDeque<BatchMetadata> q = last.computeIfAbsent(pid, k -> new ArrayDeque<>());
      if (!epochs.containsKey(pid) || epochs.get(pid) != b.producerEpoch()) {
        q.clear();
        epochs.put(pid, b.producerEpoch());
      }
      q.addLast(
          new BatchMetadata(
              b.baseSequence(),
              b.baseSequence() + b.lastOffsetDelta(),
              b.baseOffset(),
              b.lastOffset(),
              b.maxTimestamp()));
      while (q.size() > ProducerStateEntry.NUM_BATCHES_TO_RETAIN) {
        q.removeFirst();
      }
    }
    Map<Long, String> r = new HashMap<>();
    for (var e : last.entrySet()) {
      r.put(e.getKey(), epochs.get(e.getKey()) + " " + new ArrayList<>(e.getValue()));
    }
    return r;
  }

  static Map<Long, String> producers(Log log) {
    Map<Long, String> r = new HashMap<>();
    for (var e : log.producerState().activeProducers().entrySet()) {
      r.put(e.getKey(), e.getValue().producerEpoch() + " " + e.getValue().batches());
    }
    return r;
  }

  static List<RecordBatch> batches(Log log) {
    List<RecordBatch> r = new ArrayList<>();
    if (log.logEndOffset() == log.logStartOffset()) {
      return r;
    }
    ByteBuffer all = LogTest.readAll(log);
    for (int pos = 0; pos < all.limit(); ) {
      int size = RecordBatch.sizeAt(all, pos);
      r.add(RecordBatch.wrap(all.duplicate().position(pos).limit(pos + size).slice()));
      pos += size;
    }
    return r;
  }
}
