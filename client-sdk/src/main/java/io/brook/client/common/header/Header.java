package io.brook.client.common.header;

import java.util.Arrays;
import java.util.Objects;

/** A record header: a string key and a byte value (null allowed). Immutable by convention. */
public final class Header {
  private final String key;
  private final byte[] value;

  public Header(String key, byte[] value) {
    this.key = Objects.requireNonNull(key, "header key");
    this.value = value;
  }

  public String key() {
    return key;
  }

  /** The value, or null. Not copied. */
  public byte[] value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
  }

  @Override
  public int hashCode() {
    return 31 * key.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "RecordHeader(key = " + key + ", value = " + Arrays.toString(value) + ")";
  }
}
