package io.brook.controller.zk;

import static io.brook.controller.ZkTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Time;
import io.brook.controller.ZkTestSupport;
import io.brook.metadata.zk.MetadataStore;
import io.brook.metadata.zk.ZkPaths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.KillSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControllerElectorTest {
  private ZkTestSupport zk;
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkTestSupport();
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
    callbacks.shutdownNow();
  }

  private record Candidate(
      CuratorFramework client, ControllerElector elector, List<String> events) {}

  private Candidate candidate(int id) throws Exception {
    CuratorFramework c = zk.client();
    List<String> events = new CopyOnWriteArrayList<>();
    ControllerElector e =
        new ControllerElector(
            c,
            id,
            callbacks,
            new ControllerElector.Listener() {
              @Override
              public void onElected() {
                events.add("elected");
              }

              @Override
              public void onResigned() {
                events.add("resigned");
              }
            },
            Time.SYSTEM);
    zk.closeLater(e);
    e.start();
    return new Candidate(c, e, events);
  }

  @Test
  void lifecycle() throws Exception {
    Candidate a = candidate(1);
    assertThrows(IllegalStateException.class, a.elector()::start);
    a.elector().close();
    a.elector().close();
  }

  @Test
  void oneLeaderEpochGrowsAndTheOldControllerIsFenced() throws Exception {
    Candidate a = candidate(1);
    waitFor(() -> a.elector().hasLeadership(), "candidate 1 elected");
    Candidate b = candidate(2);
    FencedZkWriter wa = a.elector().claim();
    assertEquals(1, wa.epoch());
    MetadataStore store = new MetadataStore(zk.client());
    assertEquals(new ZkPaths.ControllerRegistration(1, 1), store.controller().orElseThrow());
    assertTrue(!b.elector().hasLeadership(), "exactly one candidate is elected");
    assertThrows(ControllerMovedException.class, b.elector()::claim);

    // a fenced write works while a is the controller
    wa.write(List.of(wa.ops().create().forPath("/probe", new byte[0])));

    KillSession.kill(a.client().getZookeeperClient().getZooKeeper());
    waitFor(() -> b.elector().hasLeadership(), "candidate 2 takes over");
    FencedZkWriter wb = b.elector().claim();
    assertEquals(2, wb.epoch());
    assertEquals(new ZkPaths.ControllerRegistration(2, 2), store.controller().orElseThrow());
    assertTrue(!wa.isEnabled(), "the old writer stopped writing when its session was lost");

    // The old controller's writes fail: through its own writer...
    assertThrows(
        ControllerMovedException.class,
        () -> wa.write(List.of(wa.ops().delete().forPath("/probe"))));
    // ...and even when attempted with its old epoch on a live session, ZooKeeper refuses it.
    FencedZkWriter stale = new FencedZkWriter(zk.client(), wa.epoch(), wa.epochZkVersion());
    ControllerMovedException fenced =
        assertThrows(
            ControllerMovedException.class,
            () -> stale.write(List.of(stale.ops().delete().forPath("/probe"))));
    assertTrue(fenced.getMessage().contains("fenced"), fenced.getMessage());
    assertTrue(store.stat("/probe").isPresent(), "nothing of the fenced write was applied");
    wb.write(List.of(wb.ops().delete().forPath("/probe")));
    assertTrue(store.stat("/probe").isEmpty());
    assertTrue(a.events().contains("resigned"), "candidate 1 heard it resigned: " + a.events());
  }
}
