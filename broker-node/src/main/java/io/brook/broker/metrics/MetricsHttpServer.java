package io.brook.broker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The broker's HTTP endpoint on {@code metrics.port} (the JDK's HttpServer):
 *
 * <ul>
 *   <li>{@code GET /metrics}: the registry in Prometheus text format (OpenMetrics or protobuf when
 *       the scraper asks for it; {@code ?name[]=} filters), by the Prometheus client's handler;
 *   <li>{@code GET /health}: 200 with {@code {"status":"OK",...}} when healthy, else 503 with
 *       {@code {"status":"UNAVAILABLE","reason":...}} (see {@link BrokerHealth}).
 * </ul>
 *
 * <p>Lifecycle: {@link #start} binds and serves; {@link #close} stops at once (idempotent).
 * Requests run on two daemon threads of its own.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(MetricsHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private volatile boolean closed;

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds to {@code host} ({@code null} or empty: every interface) and {@code port} (0: any free
   * port) and starts serving.
   */
  public static MetricsHttpServer start(
      String host,
      int port,
      String threadPrefix,
      PrometheusRegistry registry,
      Supplier<BrokerHealth.Report> health)
      throws IOException {
    InetSocketAddress address =
        host == null || host.isEmpty()
            ? new InetSocketAddress(port)
            : new InetSocketAddress(host, port);
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IOException("Could not serve metrics on " + address + ": " + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, threadPrefix + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/metrics", new MetricsHandler(registry));
    server.createContext("/health", exchange -> answerHealth(exchange, health.get()));
    server.start();
    return new MetricsHttpServer(server, executor);
  }

  private static void answerHealth(HttpExchange exchange, BrokerHealth.Report report)
      throws IOException {
    try (exchange) {
      byte[] body = (report.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
      exchange.sendResponseHeaders(report.healthy() ? 200 : 503, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** The bound port (the chosen one with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving at once. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
    log.debug("Metrics HTTP server on port {} stopped", port());
  }
}
