package io.brook.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.serialization.StringDeserializer;
import io.brook.client.common.serialization.StringSerializer;
import io.brook.client.internals.FakeBroker;
import io.brook.client.producer.BrookProducer;
import io.brook.client.producer.ProducerConfig;
import io.brook.client.producer.ProducerRecord;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer fetches over one long-lived FetchStream per broker, fetches again after an empty
 * answer only while the application polls, and gives up a fetch that is not answered within
 * fetch.max.wait.ms + request.timeout.ms by cancelling its stream and fetching again on a new one.
 * Against an in-process fake broker (real gRPC, in-process transport).
 */
class FetchStreamConsumerTest {
  private FakeBroker broker;

  @BeforeEach
  void start() throws Exception {
    broker = new FakeBroker();
    broker.createTopic("t", 1);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private void produce(int n) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    try (BrookProducer<String, String> producer =
        new BrookProducer<>(
            new ProducerConfig(p), null, null, broker.channels(), Time.SYSTEM, bound -> 0)) {
      for (int i = 0; i < n; i++) {
        producer.send(new ProducerRecord<>("t", 0, null, "v" + i));
      }
      producer.flush();
    }
  }

  private BrookConsumer<String, String> consumer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "fakehost:9092");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("auto.offset.reset", "earliest");
    p.putAll(extra);
    return new BrookConsumer<>(new ConsumerConfig(p), null, null, broker.channels(), Time.SYSTEM);
  }

  /** Polls until {@code n} records came back (or 30 s passed); returns how many did. */
  private static int pollFor(BrookConsumer<String, String> c, int n) {
    int got = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (got < n && System.nanoTime() < deadline) {
      got += c.poll(Duration.ofMillis(100)).count();
    }
    return got;
  }

  @Test
  void manyFetchesGoOverOneStream() throws Exception {
    produce(10);
    try (BrookConsumer<String, String> c =
        consumer(Map.of("fetch.max.wait.ms", "0", "max.poll.records", "1"))) {
      c.assign(List.of(new TopicPartition("t", 0)));
      assertEquals(10, pollFor(c, 10));
      // caught up: with fetch.max.wait.ms=0 every poll fetches again
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (broker.fetchRequests.get() < 50 && System.nanoTime() < deadline) {
        assertEquals(0, c.poll(Duration.ofMillis(10)).count());
      }
      assertTrue(broker.fetchRequests.get() >= 50, "fetches: " + broker.fetchRequests.get());
      assertEquals(1, broker.fetchStreamsOpened.get(), "every fetch on the first stream");
      assertEquals(0, broker.fetchStreamsFailed.get());
    }
  }

  @Test
  void aCaughtUpConsumerFetchesOnlyWhileTheApplicationPolls() throws Exception {
    produce(3);
    try (BrookConsumer<String, String> c = consumer(Map.of("fetch.max.wait.ms", "0"))) {
      c.assign(List.of(new TopicPartition("t", 0)));
      assertEquals(3, pollFor(c, 3));
      int before = broker.fetchRequests.get();
      assertEquals(0, c.poll(Duration.ofMillis(200)).count());
      int during = broker.fetchRequests.get() - before;
      assertTrue(during >= 5, "a polling consumer fetches again and again: " + during);

      // outside poll(): the fetch sent last is answered empty and not followed by another
      int afterPoll = broker.fetchRequests.get();
      long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
      while (System.nanoTime() < until) {
        assertTrue(
            broker.fetchRequests.get() <= afterPoll + 1,
            "fetches while the application does not poll: "
                + (broker.fetchRequests.get() - afterPoll));
        LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
      }

      produce(2);
      assertEquals(2, pollFor(c, 2), "the next poll fetches again");
    }
  }

  @Test
  void anUnansweredFetchCancelsItsStreamAndTheConsumerFetchesAgainOnANewOne() throws Exception {
    produce(5);
    broker.answerFetch = false;
    try (BrookConsumer<String, String> c =
        consumer(
            Map.of(
                "fetch.max.wait.ms", "50",
                "request.timeout.ms", "300",
                "retry.backoff.ms", "10"))) {
      c.assign(List.of(new TopicPartition("t", 0)));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (broker.fetchStreamsFailed.get() == 0 && System.nanoTime() < deadline) {
        assertEquals(0, c.poll(Duration.ofMillis(50)).count(), "nothing is answered yet");
      }
      assertTrue(broker.fetchStreamsFailed.get() >= 1, "the stream of the lost fetch cancelled");

      broker.answerFetch = true;
      assertEquals(5, pollFor(c, 5));
      assertTrue(
          broker.fetchStreamsOpened.get() >= 2,
          "fetched again on a new stream: " + broker.fetchStreamsOpened.get());
    }
  }
}
