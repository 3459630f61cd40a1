package io.brook.client.common.serialization;

import io.brook.client.common.header.Headers;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Turns bytes back into a key or value. Implementations need a public no-argument constructor when
 * named in {@code key.deserializer} / {@code value.deserializer}. Called from the polling thread.
 */
public interface Deserializer<T> extends Closeable {
  default void configure(Map<String, ?> configs, boolean isKey) {}

  /** The value of {@code data}; null bytes usually give null. */
  T deserialize(String topic, byte[] data);

  default T deserialize(String topic, Headers headers, byte[] data) {
    return deserialize(topic, data);
  }

  /** Deserializes the remaining bytes of {@code data} (null for null); copies by default. */
  default T deserialize(String topic, Headers headers, ByteBuffer data) {
    if (data == null) {
      return deserialize(topic, headers, (byte[]) null);
    }
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return deserialize(topic, headers, bytes);
  }

  @Override
  default void close() {}
}
