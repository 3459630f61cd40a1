package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Scheduler;
import io.brook.protocol.v1.AllocateProducerIdsRequest;
import io.brook.protocol.v1.AllocateProducerIdsResponse;
import io.brook.protocol.v1.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.Test;

/** Pure logic of {@link ProducerIdManager} with a fake controller and a hand-run scheduler. */
class ProducerIdManagerTest {

  /** Tasks run only when the test says so. */
  private static final class HandScheduler implements Scheduler {
    final List<Runnable> tasks = new ArrayList<>();
    final List<Long> delays = new ArrayList<>();

    @Override
    public synchronized ScheduledFuture<?> schedule(
        String name, Runnable task, long delayMs, long periodMs) {
      tasks.add(task);
      delays.add(delayMs);
      return null;
    }

    void runAll() {
      List<Runnable> now;
      synchronized (this) {
        now = new ArrayList<>(tasks);
        tasks.clear();
        delays.clear();
      }
      now.forEach(Runnable::run);
    }

    @Override
    public void close() {}
  }

  /** A controller whose answers the test releases one by one. */
  private static final class FakeAllocator {
    final List<AllocateProducerIdsRequest> requests = new ArrayList<>();
    final List<CompletableFuture<AllocateProducerIdsResponse>> pending = new ArrayList<>();
    long nextStart;

    synchronized CompletableFuture<AllocateProducerIdsResponse> allocate(
        AllocateProducerIdsRequest r) {
      requests.add(r);
      CompletableFuture<AllocateProducerIdsResponse> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    void grant(int len) {
      CompletableFuture<AllocateProducerIdsResponse> f;
      long start;
      synchronized (this) {
        f = pending.remove(0);
        start = nextStart;
        nextStart += len;
      }
      f.complete(
          AllocateProducerIdsResponse.newBuilder()
              .setError(ErrorCode.NONE)
              .setProducerIdStart(start)
              .setProducerIdLen(len)
              .build());
    }

    void fail(ErrorCode e) {
      CompletableFuture<AllocateProducerIdsResponse> f;
      synchronized (this) {
        f = pending.remove(0);
      }
      f.complete(AllocateProducerIdsResponse.newBuilder().setError(e).build());
    }

    synchronized int pendingCount() {
      return pending.size();
    }
  }

  private final HandScheduler scheduler = new HandScheduler();
  private final FakeAllocator controller = new FakeAllocator();
  private final ProducerIdManager manager =
      new ProducerIdManager(7, () -> 42L, controller::allocate, scheduler, 10_000, 100);

  @Test
  void waitsForTheFirstBlockThenHandsOutIdsInOrderAndPrefetchesAt90Percent() throws Exception {
    CompletableFuture<Long> first = manager.generateProducerId();
    CompletableFuture<Long> second = manager.generateProducerId();
    assertFalse(first.isDone());
    assertEquals(1, controller.requests.size(), "one request in flight");
    assertEquals(7, controller.requests.get(0).getBrokerId());
    assertEquals(42L, controller.requests.get(0).getBrokerEpoch());
    controller.grant(10);
    assertEquals(0L, first.get());
    assertEquals(1L, second.get());
    for (long id = 2; id < 8; id++) {
      assertEquals(id, manager.generateProducerId().get());
    }
    assertEquals(1, controller.requests.size(), "below 90%: no prefetch yet");
    assertEquals(8L, manager.generateProducerId().get()); // the 9th id: 90% used
    assertEquals(2, controller.requests.size(), "prefetch of the next block");
    assertEquals(9L, manager.generateProducerId().get());
    CompletableFuture<Long> waiting = manager.generateProducerId();
    assertFalse(waiting.isDone(), "block used up, the next one not there yet");
    assertEquals(2, controller.requests.size(), "no second request while one is in flight");
    controller.grant(10);
    assertEquals(10L, waiting.get());
  }

  @Test
  void prefetchedBlockIsUsedWithoutWaiting() throws Exception {
    manager.generateProducerId();
    controller.grant(10);
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      ids.add(manager.generateProducerId().get());
    }
    controller.grant(10); // the prefetch
    for (int i = 0; i < 11; i++) {
      CompletableFuture<Long> f = manager.generateProducerId();
      assertTrue(f.isDone());
      assertTrue(ids.add(f.get()));
    }
    assertEquals(19, ids.size());
  }

  @Test
  void failedRequestsAreRetriedAfterTheBackoffWhileSomeoneWaits() throws Exception {
    CompletableFuture<Long> f = manager.generateProducerId();
    controller.fail(ErrorCode.NOT_CONTROLLER);
    assertFalse(f.isDone());
    assertEquals(0, controller.pendingCount());
    assertTrue(scheduler.delays.contains(100L), "a retry after retry.backoff.ms");
    scheduler.tasks.remove(scheduler.delays.indexOf(10_000L)); // keep the wait timeout pending
    scheduler.delays.remove(10_000L);
    scheduler.runAll();
    assertEquals(1, controller.pendingCount());
    controller.grant(1000);
    assertEquals(0L, f.get());
  }

  @Test
  void aWaiterGivesUpAfterMaxWait() {
    CompletableFuture<Long> f = manager.generateProducerId();
    scheduler.runAll(); // the timeout
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(ProducerIdManager.ProducerIdsUnavailableException.class, e.getCause());
    // A late block still serves the next caller.
    controller.grant(10);
    assertTrue(manager.generateProducerId().isDone());
  }

  @Test
  void closeFailsWaiters() {
    CompletableFuture<Long> f = manager.generateProducerId();
    manager.close();
    assertTrue(f.isCompletedExceptionally());
    assertTrue(manager.generateProducerId().isCompletedExceptionally());
  }
}
