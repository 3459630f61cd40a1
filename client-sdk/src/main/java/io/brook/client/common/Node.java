package io.brook.client.common;

import java.util.Objects;

/** A broker as clients see it: id, host, port and optional rack. Immutable. */
public final class Node {
  private static final Node NO_NODE = new Node(-1, "", -1, null);

  private final int id;
  private final String host;
  private final int port;
  private final String rack;

  public Node(int id, String host, int port) {
    this(id, host, port, null);
  }

  public Node(int id, String host, int port, String rack) {
    this.id = id;
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.rack = rack == null || rack.isEmpty() ? null : rack;
  }

  /** The placeholder for "no broker", as Kafka's {@code Node.noNode()}. */
  public static Node noNode() {
    return NO_NODE;
  }

  public boolean isEmpty() {
    return host.isEmpty() || port < 0;
  }

  public int id() {
    return id;
  }

  public String idString() {
    return Integer.toString(id);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean hasRack() {
    return rack != null;
  }

  /** The rack, or null. */
  public String rack() {
    return rack;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Node n)) {
      return false;
    }
    return id == n.id && port == n.port && host.equals(n.host) && Objects.equals(rack, n.rack);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, host, port, rack);
  }

  @Override
  public String toString() {
    return host + ":" + port + " (id: " + id + " rack: " + rack + ")";
  }
}
