package io.brook.broker.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A standalone ZooKeeper server inside this JVM: the real server classes of the zookeeper jar
 * ({@link ZooKeeperServer} behind an NIO {@link ServerCnxnFactory}), bound to 127.0.0.1. For the
 * quickstart; a real deployment runs ZooKeeper as its own process
 * (brook-zookeeper-server-start.sh).
 *
 * <p>Lifecycle: {@link #start} returns a serving instance; {@link #close()} stops it and is
 * idempotent. Thread-safe.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

  private static final int TICK_TIME_MS = 2000;
  private static final int MAX_CLIENT_CONNECTIONS = 0; // no limit

  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;
  private boolean closed;

  private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory factory) {
    this.server = server;
    this.factory = factory;
  }

  /**
   * Starts a server keeping its snapshots and transaction log in {@code dataDir}.
   *
   * @param port the client port on 127.0.0.1; 0 for one chosen by the operating system
   * @throws IOException when the port is taken or the directory is not writable
   */
  public static EmbeddedZooKeeper start(Path dataDir, int port)
      throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    ZooKeeperServer server = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), TICK_TIME_MS);
    ServerCnxnFactory factory =
        ServerCnxnFactory.createFactory(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), MAX_CLIENT_CONNECTIONS);
    try {
      factory.startup(server);
    } catch (IOException | InterruptedException | RuntimeException e) {
      factory.shutdown();
      server.shutdown();
      throw e;
    }
    return new EmbeddedZooKeeper(server, factory);
  }

  /** The client port. */
  public int port() {
    return factory.getLocalPort();
  }

  /** {@code 127.0.0.1:PORT}, for zookeeper.connect. */
  public String connectString() {
    return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    factory.shutdown();
    server.shutdown();
  }
}
