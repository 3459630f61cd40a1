package io.brook.client.producer;

import static org.junit.jupiter.api.Assertions.*;

import io.brook.client.common.errors.ConfigException;
import io.brook.client.common.errors.OutOfOrderSequenceException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.common.serialization.StringSerializer;
import io.brook.client.producer.SequenceCheckingBroker.Batch;
import io.brook.client.producer.SequenceCheckingBroker.Inject;
import io.brook.client.producer.SequenceCheckingBroker.Injection;
import io.brook.common.Time;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The idempotent producer against {@link SequenceCheckingBroker} over real gRPC on loopback:
 * sequence numbers, retries in order with five requests in flight, duplicates, gaps and producer id
 * resets, InitProducerId retries, and Kafka's configuration rules.
 */
class IdempotentProducerTest {
  private static final long WAIT_MS = 30_000;
  private SequenceCheckingBroker broker;

  @BeforeEach
  void start() throws Exception {
    broker = new SequenceCheckingBroker("t", 2);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private Map<String, Object> baseConfig() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", broker.bootstrap());
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("linger.ms", "0");
    p.put("retry.backoff.ms", "10");
    // one record per batch, so that each send is its own request and sequence
    p.put("batch.size", "1");
    return p;
  }

  private BrookProducer<String, String> producer(Map<String, Object> extra) {
    Map<String, Object> p = baseConfig();
    p.putAll(extra);
    return new BrookProducer<>(new ProducerConfig(p), null, null, null, Time.SYSTEM, null);
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  private static List<String> values(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "v" + i).collect(Collectors.toList());
  }

  /** Asserts the partition's log holds contiguous sequences from 0, one producer id. */
  private static void assertContiguous(List<Batch> log, long producerId) {
    int next = 0;
    for (Batch b : log) {
      if (b.producerId() != producerId) {
        continue;
      }
      assertEquals(next, b.baseSequence(), "sequences in the log: " + log);
      next = b.lastSequence() + 1;
    }
  }

  private List<Future<RecordMetadata>> send(BrookProducer<String, String> p, int from, int to) {
    List<Future<RecordMetadata>> fs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      fs.add(p.send(new ProducerRecord<>("t", 0, null, "v" + i)));
    }
    return fs;
  }

  @Test
  void batchesCarryTheProducerIdAndContiguousSequencesPerPartition() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      List<Future<RecordMetadata>> fs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        fs.add(p.send(new ProducerRecord<>("t", i % 2, null, "v" + i)));
      }
      for (Future<RecordMetadata> f : fs) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      long pid = p.producerIdAndEpoch().producerId();
      assertEquals(1000, pid);
      for (int part = 0; part < 2; part++) {
        List<Batch> log = broker.log(part);
        assertFalse(log.isEmpty());
        for (Batch b : log) {
          assertEquals(pid, b.producerId());
          assertEquals(0, b.epoch());
        }
        assertContiguous(log, pid);
        int partition = part;
        assertEquals(
            IntStream.range(0, 40)
                .filter(i -> i % 2 == partition)
                .mapToObj(i -> "v" + i)
                .collect(Collectors.toList()),
            broker.values(part));
      }
      assertEquals(1, broker.initRequests.size());
      assertEquals(-1, broker.initRequests.get(0).getProducerId());
    }
  }

  @Test
  void orderIsKeptAfterARetriableErrorWithFiveRequestsInFlight() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      for (Future<RecordMetadata> f : send(p, 0, 2)) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS); // the broker now knows the producer id
      }
      AtomicBoolean failedOnce = new AtomicBoolean();
      broker.injector =
          b ->
              b.baseSequence() == 2 && failedOnce.compareAndSet(false, true)
                  ? new Inject(ErrorCode.NOT_LEADER_OR_FOLLOWER, Injection.BEFORE_APPEND)
                  : null;
      broker.hold();
      List<Future<RecordMetadata>> fs = send(p, 2, 12);
      waitFor("5 requests in flight", () -> broker.unanswered() == 5);
      broker.release();
      for (Future<RecordMetadata> f : fs) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      assertEquals(5, broker.maxUnanswered.get(), "max.in.flight.requests.per.connection");
      assertEquals(values(0, 12), broker.values(0), "every record once, in send order");
      long pid = p.producerIdAndEpoch().producerId();
      assertContiguous(broker.log(0), pid);
      // Every attempt of a record carried the same sequence and the same bytes.
      Map<String, Batch> first = new HashMap<>();
      int resent = 0;
      for (Batch b : broker.received) {
        Batch prev = first.putIfAbsent(b.values().get(0), b);
        if (prev != null) {
          resent++;
          assertEquals(prev.baseSequence(), b.baseSequence(), "retry of " + b.values());
          assertEquals(prev.bytes(), b.bytes(), "retry of " + b.values() + " resends its bytes");
        }
      }
      // seq 2 (NOT_LEADER_OR_FOLLOWER) and the four behind it (OUT_OF_ORDER_SEQUENCE_NUMBER)
      assertEquals(5, resent, "resent batches: " + broker.received);
    }
  }

  @Test
  void aDuplicateSequenceCountsAsSuccess() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      AtomicBoolean lostOnce = new AtomicBoolean();
      // seq 1 is appended but its answer is a retriable error, as when a response is lost
      broker.injector =
          b ->
              b.baseSequence() == 1 && lostOnce.compareAndSet(false, true)
                  ? new Inject(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Injection.AFTER_APPEND)
                  : null;
      List<Future<RecordMetadata>> fs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        fs.add(p.send(new ProducerRecord<>("t", 0, null, "v" + i)));
        fs.get(i).get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      assertEquals(values(0, 3), broker.values(0), "the retried batch is in the log once");
      long seq1Attempts = broker.received.stream().filter(b -> b.baseSequence() == 1).count();
      assertEquals(2, seq1Attempts, "seq 1 was sent again and answered as a duplicate");
    }
  }

  @Test
  void aLostResponseOnAFailedStreamIsRetriedWithoutDuplicates() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      for (Future<RecordMetadata> f : send(p, 0, 2)) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      AtomicBoolean once = new AtomicBoolean();
      broker.injector =
          b ->
              b.baseSequence() == 3 && once.compareAndSet(false, true)
                  ? new Inject(ErrorCode.NONE, Injection.AFTER_APPEND_KILL_STREAM)
                  : null;
      broker.hold();
      List<Future<RecordMetadata>> fs = send(p, 2, 9);
      waitFor("the stream to be killed", once::get);
      broker.release();
      for (Future<RecordMetadata> f : fs) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      assertEquals(values(0, 9), broker.values(0), "every record once, in order");
      assertContiguous(broker.log(0), p.producerIdAndEpoch().producerId());
    }
  }

  @Test
  void aRealGapFailsTheBatchAndLaterBatchesGetANewProducerId() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      for (Future<RecordMetadata> f : send(p, 0, 2)) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      long oldPid = p.producerIdAndEpoch().producerId();
      AtomicBoolean once = new AtomicBoolean();
      broker.injector =
          b ->
              b.producerId() == oldPid && b.baseSequence() == 2 && once.compareAndSet(false, true)
                  ? new Inject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, Injection.BEFORE_APPEND)
                  : null;
      broker.hold();
      List<Future<RecordMetadata>> fs = send(p, 2, 8);
      waitFor("5 requests in flight", () -> broker.unanswered() == 5);
      broker.release();
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> fs.get(0).get(WAIT_MS, TimeUnit.MILLISECONDS));
      assertInstanceOf(OutOfOrderSequenceException.class, e.getCause());
      for (Future<RecordMetadata> f : fs.subList(1, fs.size())) {
        f.get(WAIT_MS, TimeUnit.MILLISECONDS);
      }
      long newPid = p.producerIdAndEpoch().producerId();
      assertNotEquals(oldPid, newPid);
      assertEquals(2, broker.initRequests.size());
      assertEquals(oldPid, broker.initRequests.get(1).getProducerId(), "KIP-360: names the old id");
      List<String> expected = values(0, 2);
      expected.addAll(values(3, 8));
      assertEquals(expected, broker.values(0), "v2 failed; the others once, in order");
      assertContiguous(broker.log(0), oldPid);
      assertContiguous(broker.log(0), newPid);
      assertTrue(broker.log(0).stream().anyMatch(b -> b.producerId() == newPid));
    }
  }

  @Test
  void otherPartitionsFinishTheirBatchesUnderTheOldProducerIdAfterAReset() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      p.send(new ProducerRecord<>("t", 0, null, "a0")).get(WAIT_MS, TimeUnit.MILLISECONDS);
      p.send(new ProducerRecord<>("t", 1, null, "b0")).get(WAIT_MS, TimeUnit.MILLISECONDS);
      long oldPid = p.producerIdAndEpoch().producerId();
      AtomicBoolean gapOnce = new AtomicBoolean();
      AtomicBoolean notLeaderOnce = new AtomicBoolean();
      broker.injector =
          b -> {
            if (b.partition() == 0 && b.baseSequence() == 1 && gapOnce.compareAndSet(false, true)) {
              return new Inject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, Injection.BEFORE_APPEND);
            }
            if (b.partition() == 1
                && b.baseSequence() == 1
                && notLeaderOnce.compareAndSet(false, true)) {
              return new Inject(ErrorCode.NOT_LEADER_OR_FOLLOWER, Injection.BEFORE_APPEND);
            }
            return null;
          };
      broker.hold();
      Future<RecordMetadata> a1 = p.send(new ProducerRecord<>("t", 0, null, "a1"));
      Future<RecordMetadata> b1 = p.send(new ProducerRecord<>("t", 1, null, "b1"));
      Future<RecordMetadata> b2 = p.send(new ProducerRecord<>("t", 1, null, "b2"));
      waitFor("a1, b1 and b2 at the broker", () -> broker.received.size() == 5);
      broker.release();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> a1.get(WAIT_MS, TimeUnit.MILLISECONDS));
      assertInstanceOf(OutOfOrderSequenceException.class, e.getCause());
      b1.get(WAIT_MS, TimeUnit.MILLISECONDS);
      b2.get(WAIT_MS, TimeUnit.MILLISECONDS);
      p.send(new ProducerRecord<>("t", 1, null, "b3")).get(WAIT_MS, TimeUnit.MILLISECONDS);
      long newPid = p.producerIdAndEpoch().producerId();
      assertNotEquals(oldPid, newPid);
      assertEquals(List.of("b0", "b1", "b2", "b3"), broker.values(1));
      List<Batch> log = broker.log(1);
      assertEquals(
          List.of(oldPid, oldPid, oldPid, newPid),
          log.stream().map(Batch::producerId).toList(),
          "b1 and b2 were retried unchanged under the old id: " + log);
      assertEquals(
          List.of(0, 1, 2, 0), log.stream().map(Batch::baseSequence).toList(), log.toString());
    }
  }

  @Test
  void unknownProducerIdFailsTheBatchAndResetsTheProducerId() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of())) {
      send(p, 0, 1).get(0).get(WAIT_MS, TimeUnit.MILLISECONDS);
      long oldPid = p.producerIdAndEpoch().producerId();
      AtomicBoolean once = new AtomicBoolean();
      broker.injector =
          b ->
              b.baseSequence() == 1 && once.compareAndSet(false, true)
                  ? new Inject(ErrorCode.UNKNOWN_PRODUCER_ID, Injection.BEFORE_APPEND)
                  : null;
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> send(p, 1, 2).get(0).get(WAIT_MS, TimeUnit.MILLISECONDS));
      assertInstanceOf(OutOfOrderSequenceException.class, e.getCause());
      send(p, 2, 3).get(0).get(WAIT_MS, TimeUnit.MILLISECONDS);
      Batch last = broker.log(0).get(broker.log(0).size() - 1);
      assertNotEquals(oldPid, last.producerId());
      assertEquals(0, last.baseSequence(), "a new producer id starts at sequence 0");
    }
  }

  @Test
  void initProducerIdIsRetriedWhileTheBrokerHasNoIds() throws Exception {
    broker.initProducerIdErrors.add(ErrorCode.BROKER_NOT_AVAILABLE);
    broker.initProducerIdErrors.add(ErrorCode.BROKER_NOT_AVAILABLE);
    try (BrookProducer<String, String> p = producer(Map.of())) {
      send(p, 0, 1).get(0).get(WAIT_MS, TimeUnit.MILLISECONDS);
      assertEquals(3, broker.initRequests.size());
      assertEquals(0, broker.log(0).get(0).baseSequence());
    }
  }

  @Test
  void initProducerIdWorksWithAnUnreachableBootstrapAddress() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Map<String, Object> extra = new HashMap<>();
    extra.put("bootstrap.servers", "127.0.0.1:" + closedPort + "," + broker.bootstrap());
    try (BrookProducer<String, String> p = producer(extra)) {
      send(p, 0, 1).get(0).get(WAIT_MS, TimeUnit.MILLISECONDS);
      assertEquals(1000, p.producerIdAndEpoch().producerId());
      assertEquals(0, broker.log(0).get(0).baseSequence());
    }
  }

  @Test
  void batchesFailAfterMaxBlockMsWithoutAProducerId() throws Exception {
    for (int i = 0; i < 10_000; i++) {
      broker.initProducerIdErrors.add(ErrorCode.BROKER_NOT_AVAILABLE);
    }
    try (BrookProducer<String, String> p = producer(Map.of("max.block.ms", "300"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> send(p, 0, 1).get(0).get(WAIT_MS, TimeUnit.MILLISECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("while awaiting InitProducerId"));
      assertTrue(broker.received.isEmpty());
    }
  }

  @Test
  void withoutIdempotenceBatchesCarryNoProducerId() throws Exception {
    try (BrookProducer<String, String> p = producer(Map.of("acks", "1"))) {
      send(p, 0, 3).get(2).get(WAIT_MS, TimeUnit.MILLISECONDS);
      for (Batch b : broker.log(0)) {
        assertEquals(RecordBatch.NO_PRODUCER_ID, b.producerId());
        assertEquals(RecordBatch.NO_SEQUENCE, b.baseSequence());
      }
      assertTrue(broker.initRequests.isEmpty());
    }
  }

  @Test
  void configRulesAreKafkas() {
    record Case(Map<String, Object> props, Boolean enabled, String error) {}
    List<Case> cases =
        List.of(
            new Case(Map.of(), true, null),
            new Case(Map.of("acks", "1"), false, null),
            new Case(Map.of("acks", "0"), false, null),
            new Case(Map.of("retries", "0"), false, null),
            new Case(Map.of("max.in.flight.requests.per.connection", "6"), false, null),
            new Case(Map.of("enable.idempotence", "false"), false, null),
            new Case(Map.of("enable.idempotence", "false", "acks", "1"), false, null),
            new Case(Map.of("enable.idempotence", "true", "acks", "all"), true, null),
            new Case(
                Map.of("enable.idempotence", "true", "acks", "1"),
                null,
                "Must set acks to all in order to use the idempotent producer. Otherwise we"
                    + " cannot guarantee idempotence."),
            new Case(
                Map.of("enable.idempotence", "true", "retries", "0"),
                null,
                "Must set retries to non-zero when using the idempotent producer."),
            new Case(
                Map.of("enable.idempotence", "true", "max.in.flight.requests.per.connection", "6"),
                null,
                "Must set max.in.flight.requests.per.connection to at most 5 to use the"
                    + " idempotent producer."));
    for (Case c : cases) {
      Map<String, Object> p = baseConfig();
      p.putAll(c.props);
      if (c.error != null) {
        ConfigException e = assertThrows(ConfigException.class, () -> new ProducerConfig(p));
        assertEquals(c.error, e.getMessage(), c.props.toString());
      } else {
        assertEquals(c.enabled, new ProducerConfig(p).idempotenceEnabled(), c.props.toString());
      }
    }
  }
}
