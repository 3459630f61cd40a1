package io.brook.client.consumer.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.MockTime;
import org.junit.jupiter.api.Test;

class HeartbeatTest {
  private final MockTime time = new MockTime();

  private Heartbeat heartbeat() {
    // session 1000, interval 100, max poll 5000, backoff 10
    return new Heartbeat(1000, 100, 5000, 10, time.hiResClockMs());
  }

  @Test
  void heartbeatIsDueEveryIntervalAfterTheLastOneSent() {
    Heartbeat h = heartbeat();
    assertFalse(h.shouldHeartbeat(time.hiResClockMs()));
    assertEquals(100, h.timeToNextHeartbeat(time.hiResClockMs()));
    time.advance(100);
    assertTrue(h.shouldHeartbeat(time.hiResClockMs()));
    h.sentHeartbeat(time.hiResClockMs());
    assertFalse(h.shouldHeartbeat(time.hiResClockMs()), "one in flight at a time");
    time.advance(150);
    assertFalse(h.shouldHeartbeat(time.hiResClockMs()), "still in flight");
    h.receiveHeartbeat(time.hiResClockMs());
    assertTrue(h.shouldHeartbeat(time.hiResClockMs()));
  }

  @Test
  void aFailedHeartbeatIsRetriedAfterTheBackoff() {
    Heartbeat h = heartbeat();
    time.advance(100);
    h.sentHeartbeat(time.hiResClockMs());
    h.failHeartbeat(time.hiResClockMs());
    assertEquals(10, h.timeToNextHeartbeat(time.hiResClockMs()));
    time.advance(10);
    assertTrue(h.shouldHeartbeat(time.hiResClockMs()));
  }

  @Test
  void sessionExpiresWithoutAResponseForTheSessionTimeout() {
    Heartbeat h = heartbeat();
    time.advance(999);
    assertFalse(h.sessionTimeoutExpired(time.hiResClockMs()));
    h.receiveHeartbeat(time.hiResClockMs());
    time.advance(999);
    assertFalse(h.sessionTimeoutExpired(time.hiResClockMs()));
    time.advance(1);
    assertTrue(h.sessionTimeoutExpired(time.hiResClockMs()));
  }

  @Test
  void pollTimeoutCountsFromTheLastPoll() {
    Heartbeat h = heartbeat();
    time.advance(4999);
    assertFalse(h.pollTimeoutExpired(time.hiResClockMs()));
    h.poll(time.hiResClockMs());
    time.advance(4999);
    assertFalse(h.pollTimeoutExpired(time.hiResClockMs()));
    time.advance(1);
    assertTrue(h.pollTimeoutExpired(time.hiResClockMs()));
    h.resetTimeouts(time.hiResClockMs());
    assertFalse(h.pollTimeoutExpired(time.hiResClockMs()));
  }

  @Test
  void heartbeatIntervalMustBeBelowTheSessionTimeout() {
    assertThrows(IllegalArgumentException.class, () -> new Heartbeat(100, 100, 1000, 10, 0));
  }
}
