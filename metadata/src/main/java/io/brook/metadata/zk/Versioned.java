package io.brook.metadata.zk;

/**
 * A value read from a znode with the znode's version (for conditional writes) and czxid. Immutable.
 */
public record Versioned<T>(T value, int version, long czxid) {
  public <U> Versioned<U> map(java.util.function.Function<T, U> f) {
    return new Versioned<>(f.apply(value), version, czxid);
  }
}
