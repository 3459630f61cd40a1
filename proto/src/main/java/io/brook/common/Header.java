package io.brook.common;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a UTF-8 key (never null) and an optional value ({@code null} is kept distinct
 * from an empty value). Equality compares the value's bytes.
 *
 * <p>The value array is not copied: callers must not modify it after handing it over.
 */
public record Header(String key, byte[] value) {
  public Header {
    Objects.requireNonNull(key, "header key");
  }

  /** A header whose value is the UTF-8 bytes of {@code value} (null stays null). */
  public static Header of(String key, String value) {
    return new Header(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
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
    return "Header(key="
        + key
        + ", value="
        + (value == null ? "null" : new String(value, StandardCharsets.UTF_8))
        + ")";
  }
}
