package io.brook.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.MockTime;
import io.brook.common.TopicPartition;
import io.brook.metadata.config.ThrottledReplicas;
import org.junit.jupiter.api.Test;

class ReplicationQuotaTest {
  final MockTime time = new MockTime();
  final TopicPartition t0 = new TopicPartition("t", 0);
  final TopicPartition t1 = new TopicPartition("t", 1);

  @Test
  void unlimitedNeverExceeds() {
    ReplicationQuota q = ReplicationQuota.unlimited("leader", 1, time);
    q.updateTopic("t", ThrottledReplicas.ALL);
    q.record(Long.MAX_VALUE / 2);
    assertFalse(q.isQuotaExceeded());
    assertFalse(q.shouldSkip(t0));
    assertEquals(0, q.throttleTimeMs());
  }

  @Test
  void bucketEmptiesAndRefillsAtTheRate() {
    ReplicationQuota q = new ReplicationQuota("follower", 2, time, 1000);
    q.updateTopic("t", ThrottledReplicas.parse("0:2,1:3"));
    assertTrue(q.isThrottled(t0));
    assertFalse(q.isThrottled(t1)); // 1:3 is another broker's replica
    assertFalse(q.isQuotaExceeded()); // starts with one second's worth
    q.record(3000); // one big fetch overshoots: 2 s of debt
    assertTrue(q.isQuotaExceeded());
    assertTrue(q.shouldSkip(t0));
    assertFalse(q.shouldSkip(t1)); // not throttled: never skipped
    assertEquals(1, q.skips(t0));
    assertEquals(0, q.skips(t1));
    assertEquals(2001, q.throttleTimeMs());
    time.advance(1500);
    assertTrue(q.isQuotaExceeded());
    time.advance(600);
    assertFalse(q.isQuotaExceeded());
    assertFalse(q.shouldSkip(t0));
    // Over a long stretch the bytes taken follow the rate: 10 s at 1000 B/s in 100-byte fetches.
    long sent = 0;
    for (int ms = 0; ms < 10_000; ms += 10) {
      if (!q.isQuotaExceeded()) {
        q.record(100);
        sent += 100;
      }
      time.advance(10);
    }
    assertTrue(sent >= 9_000 && sent <= 11_200, "sent " + sent);
    assertEquals(3000 + sent, q.recordedBytes());
  }

  @Test
  void rateAndThrottledReplicasChangeLive() {
    ReplicationQuota q = new ReplicationQuota("leader", 1, time, 100);
    q.updateTopic("t", ThrottledReplicas.parse("0:1"));
    q.record(10_000);
    assertTrue(q.shouldSkip(t0));
    q.updateRate(Long.MAX_VALUE);
    assertFalse(q.isQuotaExceeded());
    q.updateRate(100);
    q.record(500);
    assertTrue(q.isQuotaExceeded());
    q.removeTopic("t");
    assertFalse(q.isThrottled(t0));
    assertFalse(q.shouldSkip(t0));
  }
}
