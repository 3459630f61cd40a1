package io.brook.metadata.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.BrokerInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BrokerRegistrarTest {
  private TestingServer zk;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    zk.close();
  }

  private CuratorFramework client() {
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(zk.getConnectString())
            .namespace("brook")
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(10_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 5))
            .build();
    c.start();
    closeables.add(c);
    return c;
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void registersWithEpochAndEndpoints() {
    CuratorFramework c = client();
    BrokerRegistrar r = new BrokerRegistrar(c, BrokerInfo.of(1, "127.0.0.1", 9092, "r1"));
    closeables.add(r);
    r.start();
    MetadataStore store = new MetadataStore(c);
    BrokerInfo registered = store.broker(1).orElseThrow();
    assertEquals(r.brokerEpoch(), registered.epoch());
    assertTrue(r.brokerEpoch() > 0);
    assertEquals("127.0.0.1:9092", registered.endpoint());
    assertEquals("r1", registered.rack());
    assertEquals(List.of(registered), store.liveBrokers());
    assertThrows(IllegalStateException.class, r::start);
    r.close();
    r.close();
    assertTrue(store.broker(1).isEmpty(), "close deletes the registration");
  }

  @Test
  void duplicateIdIsRefused() {
    BrokerRegistrar first = new BrokerRegistrar(client(), BrokerInfo.of(1, "h1", 1, null));
    closeables.add(first);
    first.start();
    BrokerRegistrar second = new BrokerRegistrar(client(), BrokerInfo.of(1, "h2", 2, null));
    closeables.add(second);
    BrokerRegistrationException e = assertThrows(BrokerRegistrationException.class, second::start);
    assertTrue(e.getMessage().contains("Broker id 1 is already registered"), e.getMessage());
    assertEquals("h1", new MetadataStore(client()).broker(1).orElseThrow().host());
  }

  @Test
  void registersAgainAfterSessionExpiryWithNewEpoch() throws Exception {
    CuratorFramework c = client();
    BrokerRegistrar r = new BrokerRegistrar(c, BrokerInfo.of(1, "h", 1, null));
    closeables.add(r);
    List<Long> epochs = new CopyOnWriteArrayList<>();
    r.addEpochListener(epochs::add);
    r.start();
    long first = r.brokerEpoch();
    assertEquals(List.of(first), epochs);
    KillSession.kill(c.getZookeeperClient().getZooKeeper());
    waitFor(() -> epochs.size() == 2, "a second registration");
    assertNotEquals(first, r.brokerEpoch());
    assertTrue(r.brokerEpoch() > first);
    MetadataStore store = new MetadataStore(client());
    waitFor(
        () -> store.broker(1).map(b -> b.epoch() == r.brokerEpoch()).orElse(false),
        "the znode of the new registration");
  }

  @Test
  void clusterIdIsCreatedOnce() {
    MetadataStore a = new MetadataStore(client());
    MetadataStore b = new MetadataStore(client());
    String id = a.getOrCreateClusterId();
    assertEquals(22, id.length());
    assertEquals(id, b.getOrCreateClusterId());
  }

  @Test
  void conditionalWritesAndTransactions() throws Exception {
    MetadataStore s = new MetadataStore(client());
    int v = s.create("/x/y", new byte[] {1});
    assertEquals(0, v);
    assertEquals(1, s.setData("/x/y", new byte[] {2}, 0));
    MetadataStoreException stale =
        assertThrows(MetadataStoreException.class, () -> s.setData("/x/y", new byte[] {3}, 0));
    assertTrue(stale.isBadVersion());
    MetadataStoreException tx =
        assertThrows(
            MetadataStoreException.class,
            () ->
                s.commit(
                    List.of(
                        s.ops().create().forPath("/x/z", new byte[0]),
                        s.ops().check().withVersion(0).forPath("/x/y"))));
    assertTrue(tx.isBadVersion());
    assertTrue(s.read("/x/z").isEmpty(), "nothing of a failed transaction is applied");
    assertEquals(2, s.read("/x/y").orElseThrow().value()[0]);
  }
}
