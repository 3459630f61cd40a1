package io.brook.client.admin;

/** A topic or broker whose configuration is described. Immutable. */
public record ConfigResource(Type type, String name) {
  /** The kinds of resource that have configs. */
  public enum Type {
    TOPIC,
    BROKER,
    UNKNOWN
  }
}
