package io.brook.systest.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A TCP proxy on {@code 127.0.0.1:<OS-chosen port>} in front of one target address, able to cut
 * connections by who made them: the harness's way of partitioning a network on loopback.
 *
 * <p>Every accepted connection is first labelled by the {@code classifier} (e.g. {@code "broker-2"}
 * or {@code "client"}, from the connecting process), then admitted or refused by the current {@link
 * #setAdmission admission rule}; a refused connection is closed right after accept. An admitted one
 * is connected to the target (a failed connect closes it) and relayed byte for byte by two threads
 * (one per direction, 64 KiB buffers, TCP_NODELAY on both sides). When either side closes or fails,
 * both sockets are closed.
 *
 * <p>Invariant: once {@link #setAdmission} returned and {@link #closeConnections} with the same
 * rule ran, no connection the rule refuses stays open: a connection registered before the scan is
 * closed by it, one registered after it re-checks the (volatile) rule after registering.
 *
 * <p>Lifecycle: the constructor binds and starts the accept thread; {@link #close()} (idempotent)
 * stops accepting and closes every connection. Thread-safe: every public method may be called from
 * any thread.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(TcpProxy.class);
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MS = 2000;

  /** A label for connections whose origin is unknown or irrelevant. */
  public static final String CLIENT = "client";

  private final String name;
  private final InetSocketAddress target;
  private final Function<Socket, String> classifier;
  private final ServerSocket server;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile Predicate<String> admission = label -> true;

  /**
   * Binds {@code 127.0.0.1:0} and starts accepting.
   *
   * @param name for thread names and logs, e.g. {@code "broker-1"}
   * @param target where admitted connections are relayed to
   * @param classifier labels an accepted socket (called on that connection's own thread, before the
   *     target is connected); must not throw
   */
  public TcpProxy(String name, InetSocketAddress target, Function<Socket, String> classifier)
      throws IOException {
    this.name = name;
    this.target = target;
    this.classifier = classifier;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    Thread acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  public InetSocketAddress target() {
    return target;
  }

  /**
   * From now on, connections whose label fails {@code admitted} are closed right after accept.
   * Existing connections are not touched: see {@link #closeConnections}.
   */
  public void setAdmission(Predicate<String> admitted) {
    this.admission = admitted;
  }

  /** Closes every open connection whose label matches {@code which}; returns how many. */
  public int closeConnections(Predicate<String> which) {
    int n = 0;
    for (Connection c : connections) {
      if (which.test(c.label)) {
        c.close();
        n++;
      }
    }
    return n;
  }

  /** The labels of the open connections (one entry per connection). */
  public List<String> connectionLabels() {
    List<String> labels = new ArrayList<>();
    connections.forEach(c -> labels.add(c.label));
    return labels;
  }

  /** Connections accepted so far (admitted or refused). */
  public long acceptedCount() {
    return accepted.get();
  }

  /** Connections refused so far by the admission rule. */
  public long refusedCount() {
    return refused.get();
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket inbound;
      try {
        inbound = server.accept();
      } catch (IOException e) {
        if (!closed.get()) {
          log.warn("proxy {}: accept failed: {}", name, e.toString());
        }
        return;
      }
      accepted.incrementAndGet();
      Thread t =
          new Thread(() -> serve(inbound), "proxy-" + name + "-" + inbound.getPort() + "-upstream");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Runs on the connection's own thread: classify, admit, connect, then relay client->target. */
  private void serve(Socket inbound) {
    String label = classifier.apply(inbound);
    if (!admission.test(label)) {
      refused.incrementAndGet();
      closeQuietly(inbound);
      return;
    }
    Socket outbound = new Socket();
    try {
      outbound.connect(target, CONNECT_TIMEOUT_MS);
      inbound.setTcpNoDelay(true);
      outbound.setTcpNoDelay(true);
    } catch (IOException e) {
      closeQuietly(inbound);
      closeQuietly(outbound);
      return;
    }
    Connection c = new Connection(label, inbound, outbound);
    connections.add(c);
    if (closed.get() || !admission.test(label)) {
      c.close();
      return;
    }
    Thread down = new Thread(() -> c.pump(outbound, inbound), Thread.currentThread().getName());
    down.setName("proxy-" + name + "-" + inbound.getPort() + "-downstream");
    down.setDaemon(true);
    down.start();
    c.pump(inbound, outbound);
  }

  /** Stops accepting and closes every connection. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(server);
    connections.forEach(Connection::close);
  }

  @Override
  public String toString() {
    return "TcpProxy(" + name + " " + address() + " -> " + target + ")";
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing: nothing to do
    }
  }

  /** One relayed connection; closing either socket ends both pumps. */
  private final class Connection {
    final String label;
    final Socket inbound;
    final Socket outbound;
    final AtomicBoolean done = new AtomicBoolean();

    Connection(String label, Socket inbound, Socket outbound) {
      this.label = label;
      this.inbound = inbound;
      this.outbound = outbound;
    }

    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[BUFFER_BYTES];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
      } catch (SocketException e) {
        // closed by the other pump, the peer, or a cut: normal
      } catch (IOException e) {
        log.debug("proxy {}: relay failed: {}", name, e.toString());
      } finally {
        close();
      }
    }

    void close() {
      if (done.compareAndSet(false, true)) {
        closeQuietly(inbound);
        closeQuietly(outbound);
        connections.remove(this);
      }
    }
  }
}
