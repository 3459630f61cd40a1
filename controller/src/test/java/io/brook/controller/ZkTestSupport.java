package io.brook.controller;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;

/** A real in-process ZooKeeper and clients under the chroot "brook"; closes what it made. */
public final class ZkTestSupport implements AutoCloseable {
  public final TestingServer zk;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  public ZkTestSupport() throws Exception {
    zk = new TestingServer(true);
  }

  public CuratorFramework client() {
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

  public <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  public static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    zk.close();
  }
}
