package io.brook.broker.metrics;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What a broker wires in for monitoring: its {@link BrokerMetrics} (the registry, fed by the
 * replica manager and the gRPC interceptor), its {@link BrokerHealth}, the scrape-time gauges and
 * the HTTP server on {@code metrics.port}.
 *
 * <p>Lifecycle: built at the start of the broker's start (health STARTING); {@link #startHttp} once
 * the sources exist; {@link #close} (idempotent) stops the HTTP server. Thread-safe.
 */
public final class BrokerMonitoring implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(BrokerMonitoring.class);

  private final int brokerId;
  private final BrokerMetrics metrics = new BrokerMetrics();
  private final BrokerHealth health;
  private volatile MetricsHttpServer http;

  public BrokerMonitoring(
      int brokerId,
      BooleanSupplier zooKeeperConnected,
      LongSupplier brokerEpoch,
      BooleanSupplier activeController) {
    this.brokerId = brokerId;
    this.health = new BrokerHealth(brokerId, zooKeeperConnected, brokerEpoch, activeController);
  }

  public BrokerMetrics metrics() {
    return metrics;
  }

  public BrokerHealth health() {
    return health;
  }

  /** Registers the JVM's metrics and the gauges read from the broker's state at scrape time. */
  public void registerGauges(BrokerStateGauges.Sources sources) {
    metrics.registerJvmMetrics();
    BrokerStateGauges.register(metrics.registry(), sources);
  }

  /**
   * Serves {@code /metrics} and {@code /health} on {@code host:port}; nothing when {@code port} is
   * negative (metrics.port=-1). Logs "Metrics served on http://host:port/metrics".
   */
  public void startHttp(String host, int port) throws IOException {
    if (port < 0) {
      log.info("Broker {}: metrics.port not set, no /metrics or /health endpoint", brokerId);
      return;
    }
    http =
        MetricsHttpServer.start(
            host, port, "broker-" + brokerId + "-metrics-http", metrics.registry(), health::check);
    String shown = host == null || host.isEmpty() ? "0.0.0.0" : host;
    log.info(
        "Broker {}: Metrics served on http://{}:{}/metrics (health: /health)",
        brokerId,
        shown,
        http.port());
  }

  /** The bound HTTP port, or -1 when not serving. */
  public int httpPort() {
    MetricsHttpServer h = http;
    return h == null ? -1 : h.port();
  }

  /** Marks the broker as shutting down (/health answers 503 from now on). */
  public void shuttingDown() {
    health.setPhase(BrokerHealth.Phase.SHUTTING_DOWN);
  }

  /** Stops the HTTP server. Idempotent. */
  @Override
  public void close() {
    health.setPhase(BrokerHealth.Phase.SHUTTING_DOWN);
    MetricsHttpServer h = http;
    if (h != null) {
      h.close();
    }
  }
}
