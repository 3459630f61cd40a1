package io.brook.metadata.zk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MetadataStore#readAllAsync}: batched (multi) reads under a chroot, in order, with gaps.
 */
class MetadataStoreReadAllTest {
  private TestingServer zk;
  private CuratorFramework client;
  private MetadataStore store;

  @BeforeEach
  void setUp() throws Exception {
    zk = new TestingServer(true);
    client =
        CuratorFrameworkFactory.builder()
            .connectString(zk.getConnectString())
            .namespace("brook")
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(10_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 5))
            .build();
    client.start();
    store = new MetadataStore(client);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    zk.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsEveryPathInOrderAcrossBatchesWithVersionsAndMissingOnes() throws Exception {
    List<String> paths = new ArrayList<>();
    for (int i = 9; i >= 0; i--) { // not in creation order: the answer keeps the asked order
      paths.add("/parts/" + i + "/state");
    }
    for (int i = 0; i < 10; i++) {
      if (i != 4 && i != 7) {
        store.create("/parts/" + i + "/state", bytes("v" + i));
      }
    }
    store.setData("/parts/2/state", bytes("v2b"), 0);
    store.setData("/parts/2/state", bytes("v2c"), 1);

    Map<String, Optional<Versioned<byte[]>>> read =
        store.readAllAsync(paths, 3).get(30, TimeUnit.SECONDS);

    assertEquals(paths, new ArrayList<>(read.keySet()));
    for (int i = 0; i < 10; i++) {
      Optional<Versioned<byte[]>> v = read.get("/parts/" + i + "/state");
      if (i == 4 || i == 7) {
        assertTrue(v.isEmpty(), "missing znode " + i + " reads as empty, saw " + v);
        continue;
      }
      Optional<Versioned<byte[]>> one = store.read("/parts/" + i + "/state");
      assertArrayEquals(one.orElseThrow().value(), v.orElseThrow().value(), "data of " + i);
      assertEquals(one.get().version(), v.get().version(), "version of " + i);
      assertEquals(one.get().czxid(), v.get().czxid(), "czxid of " + i);
    }
    assertArrayEquals(bytes("v2c"), read.get("/parts/2/state").orElseThrow().value());
    assertEquals(2, read.get("/parts/2/state").orElseThrow().version());
  }

  @Test
  void readsUnderTheChrootOnly() throws Exception {
    store.create("/x", bytes("inside"));
    client.usingNamespace(null).create().forPath("/x", bytes("outside"));

    Map<String, Optional<Versioned<byte[]>>> read =
        store.readAllAsync(List.of("/x"), 500).get(30, TimeUnit.SECONDS);

    assertArrayEquals(bytes("inside"), read.get("/x").orElseThrow().value());
  }

  @Test
  void noPathsIsAnEmptyAnswer() throws Exception {
    assertEquals(Map.of(), store.readAllAsync(List.of(), 10).get(30, TimeUnit.SECONDS));
  }

  @Test
  void aBatchThatCannotBeSentIsReadPathByPathAndItsFailureReported() throws Exception {
    store.create("/ok", bytes("ok"));
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> store.readAllAsync(List.of("/ok", "not-a-path"), 10).get(30, TimeUnit.SECONDS));
    assertInstanceOf(MetadataStoreException.class, e.getCause(), e.toString());
  }

  @Test
  void aBatchSizeBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> store.readAllAsync(List.of("/a"), 0));
  }
}
