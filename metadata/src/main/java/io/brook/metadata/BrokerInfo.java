package io.brook.metadata;

import java.util.Objects;

/**
 * A registered broker: where clients reach it, its rack, and its broker epoch (the czxid of its
 * registration znode {@code /brokers/ids/<id>}; {@link #NO_EPOCH} before registration). Immutable.
 *
 * @param id broker.id
 * @param host advertised host
 * @param port advertised port
 * @param rack broker.rack, or null when not set
 * @param epoch the czxid of the current registration, or {@link #NO_EPOCH}
 */
public record BrokerInfo(int id, String host, int port, String rack, long epoch) {
  public static final long NO_EPOCH = -1L;

  public BrokerInfo {
    if (id < 0) {
      throw new IllegalArgumentException("broker id must be >= 0, got " + id);
    }
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (rack != null && rack.isEmpty()) {
      rack = null;
    }
  }

  /** A broker not registered yet. */
  public static BrokerInfo of(int id, String host, int port, String rack) {
    return new BrokerInfo(id, host, port, rack, NO_EPOCH);
  }

  public BrokerInfo withEpoch(long newEpoch) {
    return new BrokerInfo(id, host, port, rack, newEpoch);
  }

  /** "host:port" */
  public String endpoint() {
    return host + ":" + port;
  }
}
