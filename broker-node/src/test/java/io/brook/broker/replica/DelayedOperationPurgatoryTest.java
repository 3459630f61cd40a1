package io.brook.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.testing.Wait;
import io.brook.common.ThreadPoolScheduler;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DelayedOperationPurgatoryTest {
  static final class Op extends DelayedOperation {
    final AtomicBoolean ready = new AtomicBoolean();
    final AtomicInteger completions = new AtomicInteger();
    volatile boolean expired;

    Op(long timeoutMs) {
      super(timeoutMs);
    }

    @Override
    protected boolean tryComplete() {
      return ready.get() && forceComplete();
    }

    @Override
    protected void onExpiration() {
      expired = true;
    }

    @Override
    protected void onComplete() {
      completions.incrementAndGet();
    }
  }

  @Test
  void completesOnEventOnceAndOnlyOnce() {
    try (ThreadPoolScheduler s = new ThreadPoolScheduler("test", 1);
        DelayedOperationPurgatory<String> p = new DelayedOperationPurgatory<>("t", s)) {
      Op op = new Op(600_000);
      assertFalse(p.tryCompleteElseWatch(op, List.of("a", "b")));
      assertEquals(1, p.watched() / 2);
      assertEquals(0, p.checkAndComplete("a"));
      op.ready.set(true);
      assertEquals(1, p.checkAndComplete("b"));
      assertEquals(0, p.checkAndComplete("a"));
      assertEquals(1, op.completions.get());
      assertFalse(op.expired);
      assertEquals(0, p.watched());
    }
  }

  @Test
  void readyAtOnceIsNotWatched() {
    try (ThreadPoolScheduler s = new ThreadPoolScheduler("test", 1);
        DelayedOperationPurgatory<String> p = new DelayedOperationPurgatory<>("t", s)) {
      Op op = new Op(600_000);
      op.ready.set(true);
      assertTrue(p.tryCompleteElseWatch(op, List.of("a")));
      assertEquals(0, p.watched());
    }
  }

  @Test
  void expiresAtTimeoutAndCloseCompletesTheRest() {
    try (ThreadPoolScheduler s = new ThreadPoolScheduler("test", 1)) {
      DelayedOperationPurgatory<String> p = new DelayedOperationPurgatory<>("t", s);
      Op shortOp = new Op(10);
      Op longOp = new Op(600_000);
      p.tryCompleteElseWatch(shortOp, List.of("a"));
      p.tryCompleteElseWatch(longOp, List.of("a"));
      Wait.until("the short operation to expire", () -> shortOp.isCompleted());
      assertTrue(shortOp.expired);
      assertEquals(1, shortOp.completions.get());
      p.close();
      assertEquals(1, longOp.completions.get());
    }
  }
}
