package io.brook.broker.zk;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Opens the broker's ZooKeeper session: {@code zookeeper.connect} may end with a chroot ({@code
 * host:2181/brook}), created first if missing (as Kafka does). The only Curator code of broker-node
 * outside the metadata and controller modules. Stateless.
 */
public final class ZooKeeperClients {
  private static final Logger log = LogManager.getLogger(ZooKeeperClients.class);

  private ZooKeeperClients() {}

  /**
   * Connects and waits for the session, creating the chroot if needed.
   *
   * @throws IllegalStateException when ZooKeeper cannot be reached within the connection timeout
   */
  public static CuratorFramework connect(
      String connect, int sessionTimeoutMs, int connectionTimeoutMs) {
    int slash = connect.indexOf('/');
    if (slash >= 0) {
      String hosts = connect.substring(0, slash);
      String chroot = connect.substring(slash);
      if (chroot.length() > 1) {
        try (CuratorFramework boot = open(hosts, sessionTimeoutMs, connectionTimeoutMs)) {
          await(boot, connect, connectionTimeoutMs);
          if (boot.checkExists().forPath(chroot) == null) {
            boot.create().creatingParentsIfNeeded().forPath(chroot);
            log.info("Created the ZooKeeper chroot {}", chroot);
          }
        } catch (IllegalStateException e) {
          throw e;
        } catch (org.apache.zookeeper.KeeperException.NodeExistsException e) {
          // created concurrently by another broker
        } catch (Exception e) {
          throw new IllegalStateException(
              "Could not create the chroot " + chroot + " in ZooKeeper at " + hosts, e);
        }
      }
    }
    CuratorFramework client = open(connect, sessionTimeoutMs, connectionTimeoutMs);
    await(client, connect, connectionTimeoutMs);
    return client;
  }

  private static CuratorFramework open(String connect, int sessionMs, int connectionMs) {
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(sessionMs)
            .connectionTimeoutMs(connectionMs)
            .retryPolicy(new ExponentialBackoffRetry(100, 10, 2000))
            .build();
    c.start();
    return c;
  }

  private static void await(CuratorFramework c, String connect, int timeoutMs) {
    boolean connected;
    try {
      connected = c.blockUntilConnected(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connected = false;
    }
    if (!connected) {
      c.close();
      throw new IllegalStateException(
          "Could not connect to ZooKeeper at "
              + connect
              + " within zookeeper.connection.timeout.ms="
              + timeoutMs);
    }
  }
}
