package io.brook.broker.metrics;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Whether a broker is healthy, for {@code /health} and the {@code brook_server_kafkaserver_healthy}
 * gauge: it is serving (started, not shutting down), its ZooKeeper session is connected and it is
 * registered in {@code /brokers/ids}. Otherwise the report says why, first reason first: starting,
 * shutting down, ZooKeeper connection lost, not registered.
 *
 * <p>Phases: STARTING -> SERVING -> SHUTTING_DOWN (the broker sets them); a broker that fails to
 * start goes from STARTING to SHUTTING_DOWN. Thread-safe.
 */
public final class BrokerHealth {

  public enum Phase {
    STARTING,
    SERVING,
    SHUTTING_DOWN
  }

  /** One answer of the health check. */
  public record Report(
      boolean healthy, String reason, int brokerId, long brokerEpoch, boolean activeController) {

    /** A small JSON body: {@code {"status":"OK","broker_id":1,...}} or with {@code "reason"}. */
    public String toJson() {
      StringBuilder b = new StringBuilder("{\"status\":\"");
      b.append(healthy ? "OK" : "UNAVAILABLE").append('"');
      if (!healthy) {
        b.append(",\"reason\":\"").append(escape(reason)).append('"');
      }
      b.append(",\"broker_id\":").append(brokerId);
      b.append(",\"broker_epoch\":").append(brokerEpoch);
      b.append(",\"active_controller\":").append(activeController);
      return b.append('}').toString();
    }

    private static String escape(String s) {
      StringBuilder b = new StringBuilder();
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          b.append('\\').append(c);
        } else if (c < 0x20) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
      return b.toString();
    }
  }

  private final int brokerId;
  private final BooleanSupplier zooKeeperConnected;
  private final LongSupplier brokerEpoch;
  private final BooleanSupplier activeController;
  private volatile Phase phase = Phase.STARTING;

  /**
   * @param zooKeeperConnected whether the ZooKeeper session is connected now
   * @param brokerEpoch the epoch of the broker's registration, negative when not registered
   */
  public BrokerHealth(
      int brokerId,
      BooleanSupplier zooKeeperConnected,
      LongSupplier brokerEpoch,
      BooleanSupplier activeController) {
    this.brokerId = brokerId;
    this.zooKeeperConnected = zooKeeperConnected;
    this.brokerEpoch = brokerEpoch;
    this.activeController = activeController;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Phase phase() {
    return phase;
  }

  /** Checks now. Never throws. */
  public Report check() {
    Phase p = phase;
    long epoch;
    boolean connected;
    boolean controller;
    try {
      epoch = brokerEpoch.getAsLong();
      connected = zooKeeperConnected.getAsBoolean();
      controller = activeController.getAsBoolean();
    } catch (RuntimeException e) {
      return new Report(false, "health check failed: " + e, brokerId, -1, false);
    }
    String reason = null;
    if (p == Phase.STARTING) {
      reason = "starting";
    } else if (p == Phase.SHUTTING_DOWN) {
      reason = "shutting down";
    } else if (!connected) {
      reason = "ZooKeeper connection lost";
    } else if (epoch < 0) {
      reason = "not registered in ZooKeeper";
    }
    return new Report(reason == null, reason, brokerId, epoch, controller);
  }
}
