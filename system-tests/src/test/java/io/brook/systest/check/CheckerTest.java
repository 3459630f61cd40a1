package io.brook.systest.check;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.TopicPartition;
import io.brook.systest.check.CheckReport.TopicResult;
import io.brook.systest.check.DumpLogParser.DumpedBatch;
import io.brook.systest.check.FinalRead.OffsetValue;
import io.brook.systest.check.History.Event;
import io.brook.systest.check.History.Read;
import io.brook.systest.check.History.Seek;
import io.brook.systest.check.History.SendAttempt;
import io.brook.systest.check.History.SendFailed;
import io.brook.systest.check.History.SendOk;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One fabricated history per anomaly: a clean run of two partitions with three replicas each,
 * changed in exactly the way the anomaly describes. Each test asserts every count, so it shows both
 * that the anomaly is found and what else (by necessity) comes with it.
 */
class CheckerTest {
  private static final String TOPIC = "t";
  private static final int PARTITIONS = 2;
  private static final int RECORDS = 5;
  private static final List<Integer> BROKERS = List.of(1, 2, 3);

  /** A run under construction: mutable pieces the tests change before checking. */
  private static final class Run {
    final AckMode acks;
    final String topic;
    final List<Event> events = new ArrayList<>();
    final Map<Integer, List<OffsetValue>> finalRecords = new HashMap<>();
    final Map<Integer, Long> highWatermarks = new HashMap<>();

    /** broker -> partition -> offset -> value. */
    final Map<Integer, Map<Integer, TreeMap<Long, String>>> replicas = new HashMap<>();

    final Map<String, List<DumpedBatch>> invalidBatches = new HashMap<>();
    long clock;
    long seq;

    Run(AckMode acks, String topic) {
      this.acks = acks;
      this.topic = topic;
    }

    /** Every partition gets RECORDS acknowledged records, read by consumer c1 and everywhere. */
    static Run clean(AckMode acks) {
      return clean(acks, TOPIC);
    }

    static Run clean(AckMode acks, String topic) {
      Run r = new Run(acks, topic);
      for (int p = 0; p < PARTITIONS; p++) {
        r.finalRecords.put(p, new ArrayList<>());
        r.highWatermarks.put(p, 0L);
        r.events.add(new Seek(r.clock++, "c1", p, 0, "start"));
      }
      for (int i = 0; i < RECORDS; i++) {
        for (int p = 0; p < PARTITIONS; p++) {
          String v = r.attempt(p);
          long offset = r.appendCommitted(p, v);
          r.events.add(new SendOk(r.clock++, p, acks == AckMode.ZERO ? -1 : offset, v));
          r.read("c1", p, offset, v);
        }
      }
      return r;
    }

    String attempt(int partition) {
      String v = ValueCodec.encode(topic, partition, "w1", seq++);
      events.add(new SendAttempt(clock++, partition, v));
      return v;
    }

    void read(String consumer, int partition, long offset, String value) {
      events.add(new Read(clock++, consumer, 1, partition, offset, value));
    }

    /** Appends to the final read and every replica, and moves the HW past it. */
    long appendCommitted(int partition, String value) {
      long offset = highWatermarks.get(partition);
      finalRecords.get(partition).add(new OffsetValue(offset, value));
      highWatermarks.put(partition, offset + 1);
      for (int b : BROKERS) {
        replica(b, partition).put(offset, value);
      }
      return offset;
    }

    TreeMap<Long, String> replica(int broker, int partition) {
      return replicas
          .computeIfAbsent(broker, x -> new HashMap<>())
          .computeIfAbsent(partition, x -> new TreeMap<>());
    }

    /** Replaces the final read's value at {@code offset} (and every replica's). */
    void rewriteCommitted(int partition, long offset, String value) {
      List<OffsetValue> list = finalRecords.get(partition);
      list.set((int) offset, new OffsetValue(offset, value));
      for (int b : BROKERS) {
        replica(b, partition).put(offset, value);
      }
    }

    Checker.TopicInput input() {
      Map<Integer, FinalRead> reads = new HashMap<>();
      finalRecords.forEach(
          (p, list) ->
              reads.put(
                  p, new FinalRead(new TopicPartition(topic, p), highWatermarks.get(p), list)));
      List<ReplicaLog> logs = new ArrayList<>();
      replicas.forEach(
          (b, byPartition) ->
              byPartition.forEach(
                  (p, records) ->
                      logs.add(
                          new ReplicaLog(
                              b,
                              new TopicPartition(topic, p),
                              List.of(),
                              records,
                              invalidBatches.getOrDefault(b + "/" + p, List.of()),
                              0,
                              0))));
      return new Checker.TopicInput(topic, acks, events, reads, logs);
    }

    TopicResult check() {
      return Checker.check(List.of(input())).topic(topic);
    }
  }

  private static Map<Anomaly, Long> counts(Object... anomalyAndCount) {
    Map<Anomaly, Long> m = new EnumMap<>(Anomaly.class);
    for (Anomaly a : Anomaly.values()) {
      m.put(a, 0L);
    }
    for (int i = 0; i < anomalyAndCount.length; i += 2) {
      m.put((Anomaly) anomalyAndCount[i], ((Number) anomalyAndCount[i + 1]).longValue());
    }
    return m;
  }

  private static void assertCounts(Map<Anomaly, Long> expected, TopicResult result) {
    assertEquals(expected, result.counts(), () -> new CheckReport(List.of(result)).toString());
  }

  @Test
  void cleanRunHasNoAnomalies() {
    for (AckMode acks : AckMode.values()) {
      TopicResult r = Run.clean(acks).check();
      assertCounts(counts(), r);
      assertEquals(PARTITIONS * RECORDS, r.acknowledged());
      assertEquals(PARTITIONS * RECORDS, r.sent());
      assertEquals(0, r.indeterminate());
      assertEquals(0, r.definiteFailures());
      assertTrue(r.violations().isEmpty());
    }
  }

  @Test
  void indeterminateSendsMayBeInTheLogOrNot() {
    Run run = Run.clean(AckMode.ALL);
    String absent = run.attempt(0);
    run.events.add(new SendFailed(run.clock++, 0, absent, "TimeoutException", "expired", false));
    String present = run.attempt(1);
    run.events.add(new SendFailed(run.clock++, 1, present, "NetworkException", "gone", false));
    run.appendCommitted(1, present);
    String pending = run.attempt(0); // never completed
    run.appendCommitted(0, pending);
    TopicResult r = run.check();
    assertCounts(counts(), r);
    assertEquals(3, r.indeterminate());
  }

  @Test
  void acknowledgedRecordMissingFromItsOffsetIsLost() {
    Run run = Run.clean(AckMode.ALL);
    String v = run.attempt(0);
    run.events.add(new SendOk(run.clock++, 0, RECORDS, v)); // acknowledged, but never stored
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.LOST, 1), r);
    assertEquals(List.of("lost=1"), r.violations());
    assertTrue(r.examples().get(Anomaly.LOST).get(0).contains("0@" + RECORDS), r.toString());
  }

  @Test
  void acknowledgedRecordAtAnotherOffsetIsLost() {
    Run run = Run.clean(AckMode.ALL);
    String v = run.attempt(1);
    run.appendCommitted(1, v);
    run.events.add(new SendOk(run.clock++, 1, RECORDS + 7, v));
    assertCounts(counts(Anomaly.LOST, 1), run.check());
  }

  @Test
  void acksZeroRecordIsLostOnlyWhenFoundNowhere() {
    Run run = Run.clean(AckMode.ZERO);
    String stored = run.attempt(0);
    run.events.add(new SendOk(run.clock++, 0, -1, stored));
    run.appendCommitted(0, stored);
    String dropped = run.attempt(1);
    run.events.add(new SendOk(run.clock++, 1, -1, dropped));
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.LOST, 1), r);
    assertTrue(r.violations().isEmpty(), "acks=0 losses are reported only");
  }

  @Test
  void valueAtTwoOffsetsIsADuplicate() {
    Run run = Run.clean(AckMode.ONE);
    String v = run.attempt(0);
    run.appendCommitted(0, v); // the first attempt, whose answer was lost
    long retried = run.appendCommitted(0, v); // the retry
    run.events.add(new SendOk(run.clock++, 0, retried, v));
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.DUPLICATES, 1), r);
    assertTrue(r.violations().isEmpty(), "acks=1 duplicates are reported only");

    Run all = Run.clean(AckMode.ALL);
    String w = all.attempt(0);
    all.appendCommitted(0, w);
    all.appendCommitted(0, w);
    assertEquals(List.of("duplicates=1"), all.check().violations());
  }

  @Test
  void oneOffsetWithTwoValuesAcrossConsumerPolls() {
    Run run = Run.clean(AckMode.ALL);
    String first = run.attempt(0);
    String second = run.attempt(0);
    run.events.add(new SendFailed(run.clock++, 0, first, "TimeoutException", "t", false));
    run.events.add(new SendFailed(run.clock++, 0, second, "TimeoutException", "t", false));
    long offset = run.appendCommitted(0, second);
    run.read("c1", 0, offset, first); // c1 saw 'first' there ...
    run.events.add(new Seek(run.clock++, "c1", 0, offset, "reset"));
    run.read("c1", 0, offset, second); // ... and later 'second'
    // 'first' at that offset also vanished from the final read.
    assertCounts(counts(Anomaly.TWO_VALUES, 1, Anomaly.VANISHED, 1), run.check());
  }

  @Test
  void oneOffsetWithTwoValuesBetweenReplicasBelowTheHighWatermark() {
    Run run = Run.clean(AckMode.ALL);
    String other = run.attempt(1);
    run.events.add(new SendFailed(run.clock++, 1, other, "TimeoutException", "t", false));
    run.replica(3, 1).put(2L, other);
    assertCounts(counts(Anomaly.TWO_VALUES, 1, Anomaly.DIVERGENT, 1), run.check());
  }

  @Test
  void neverSentValueIsUnexpected() {
    Run run = Run.clean(AckMode.ONE);
    run.appendCommitted(0, ValueCodec.encode(TOPIC, 0, "ghost", 1));
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.UNEXPECTED, 1), r);
    assertTrue(r.examples().get(Anomaly.UNEXPECTED).get(0).contains("never sent"), r.toString());
    assertEquals(List.of("unexpected=1"), r.violations());
  }

  @Test
  void definitelyFailedValueIsUnexpected() {
    Run run = Run.clean(AckMode.ALL);
    String v = run.attempt(1);
    run.events.add(new SendFailed(run.clock++, 1, v, "RecordTooLargeException", "too large", true));
    run.appendCommitted(1, v);
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.UNEXPECTED, 1), r);
    assertEquals(1, r.definiteFailures());
  }

  @Test
  void corruptValueIsUnexpected() {
    Run run = Run.clean(AckMode.ZERO);
    String v = run.attempt(0);
    run.events.add(new SendFailed(run.clock++, 0, v, "TimeoutException", "t", false));
    run.appendCommitted(0, v.replace("w1", "w2"));
    assertCounts(counts(Anomaly.UNEXPECTED, 1), run.check());
  }

  @Test
  void valueInAnotherPartitionIsUnexpected() {
    Run run = Run.clean(AckMode.ALL);
    String meantFor1 = run.attempt(1);
    run.events.add(new SendFailed(run.clock++, 1, meantFor1, "TimeoutException", "t", false));
    long offset = run.appendCommitted(0, meantFor1);
    run.read("c1", 0, offset, meantFor1);
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.UNEXPECTED, 1), r);
    assertTrue(r.examples().get(Anomaly.UNEXPECTED).get(0).contains("meant for t-1"), r.toString());
  }

  @Test
  void gapOrStepBackInOneConsumersReadsIsASkip() {
    Run run = Run.clean(AckMode.ALL);
    // c1 read 0..RECORDS-1 of both partitions; a gap on partition 0, a step back on partition 1.
    String a = run.attempt(0);
    String b = run.attempt(0);
    run.events.add(new SendOk(run.clock++, 0, run.appendCommitted(0, a), a));
    long bOffset = run.appendCommitted(0, b);
    run.events.add(new SendOk(run.clock++, 0, bOffset, b));
    run.read("c1", 0, bOffset, b); // skipped a
    run.read("c1", 1, 2, run.finalRecords.get(1).get(2).value()); // back from RECORDS to 2
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.SKIPS, 2), r);
    assertEquals(List.of("skips=2"), r.violations());
  }

  @Test
  void seekOrNewConsumerResetsTheExpectedOffset() {
    Run run = Run.clean(AckMode.ALL);
    run.events.add(new Seek(run.clock++, "c1", 1, 0, "reset"));
    run.read("c1", 1, 0, run.finalRecords.get(1).get(0).value());
    run.events.add(new Seek(run.clock++, "c2", 0, 3, "restart"));
    run.read("c2", 0, 3, run.finalRecords.get(0).get(3).value());
    assertCounts(counts(), run.check());
  }

  @Test
  void finalReadWithAGapOrEndingBelowTheHighWatermarkIsASkip() {
    Run run = Run.clean(AckMode.ONE);
    run.finalRecords.get(0).remove(2);
    run.highWatermarks.put(1, (long) RECORDS + 1); // reported HW beyond what was read
    TopicResult r = run.check();
    // The gap also makes the three replicas of partition 0 differ from the final read, the
    // consumer's read of 0@2 vanish and the acknowledged record at 0@2 lost. (Partition 1's
    // replicas agree with the final read: neither has anything at the extra offset.)
    assertEquals(2, r.count(Anomaly.SKIPS), r::toString);
    assertEquals(1, r.count(Anomaly.LOST));
    assertEquals(1, r.count(Anomaly.VANISHED));
    assertEquals(3, r.count(Anomaly.DIVERGENT));
  }

  @Test
  void replicaMissingARecordBelowTheHighWatermarkIsDivergent() {
    Run run = Run.clean(AckMode.ALL);
    run.replica(2, 0).remove(3L);
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.DIVERGENT, 1), r);
    assertTrue(r.examples().get(Anomaly.DIVERGENT).get(0).startsWith("broker 2 t-0"), r.toString());
  }

  @Test
  void replicaWithAnInvalidBatchBelowTheHighWatermarkIsDivergent() {
    Run run = Run.clean(AckMode.ONE);
    run.invalidBatches.put("3/1", List.of(new DumpedBatch(1, 1, 1, 120, false, List.of())));
    assertCounts(counts(Anomaly.DIVERGENT, 1), run.check());
  }

  @Test
  void replicaRecordsAboveTheHighWatermarkAreNotCompared() {
    Run run = Run.clean(AckMode.ALL);
    String uncommitted = run.attempt(0);
    run.replica(1, 0).put((long) RECORDS, uncommitted);
    run.replica(2, 0).put((long) RECORDS, ValueCodec.encode(TOPIC, 0, "other", 1));
    run.invalidBatches.put(
        "3/0", List.of(new DumpedBatch(RECORDS, RECORDS, 1, 999, false, List.of())));
    assertCounts(counts(), run.check());
  }

  @Test
  void recordReadByAConsumerButMissingFromTheFinalReadVanished() {
    Run run = Run.clean(AckMode.ONE);
    String v = run.attempt(1);
    run.events.add(new SendFailed(run.clock++, 1, v, "TimeoutException", "t", false));
    run.read("c1", 1, RECORDS, v); // read, then truncated away everywhere
    TopicResult r = run.check();
    assertCounts(counts(Anomaly.VANISHED, 1), r);
    assertEquals(List.of("vanished=1"), r.violations());
  }

  @Test
  void assertSafeFailsWithTheTableAndExamples() {
    Run lossy = Run.clean(AckMode.ALL, "acks-all");
    String v = lossy.attempt(0);
    lossy.events.add(new SendOk(lossy.clock++, 0, 42, v));
    Run ok = Run.clean(AckMode.ONE, "acks-one");
    String w = ok.attempt(0);
    ok.events.add(new SendOk(ok.clock++, 0, 42, w));

    CheckReport onlyReported = Checker.check(List.of(ok.input()));
    assertTrue(onlyReported.isSafe());
    assertDoesNotThrow(onlyReported::assertSafe);
    assertEquals(1, onlyReported.lostCount("acks-one"));

    CheckReport report = Checker.check(List.of(lossy.input(), ok.input()));
    assertFalse(report.isSafe());
    AssertionError e = assertThrows(AssertionError.class, report::assertSafe);
    assertTrue(e.getMessage().contains("acks-all: lost=1"), e.getMessage());
    assertTrue(e.getMessage().contains("| acks-all "), e.getMessage());
    assertTrue(e.getMessage().contains("acks-all lost (1, must be 0)"), e.getMessage());
    assertTrue(e.getMessage().contains("acks-one lost (1, reported only)"), e.getMessage());
    assertTrue(e.getMessage().contains("0@42"), e.getMessage());
    assertEquals(1, report.lostCount("acks-all"));
    assertEquals(PARTITIONS * RECORDS + 1, report.acknowledged("acks-all"));
    assertThrows(IllegalArgumentException.class, () -> report.lostCount("nope"));
  }
}
