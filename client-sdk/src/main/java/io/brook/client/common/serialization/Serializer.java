package io.brook.client.common.serialization;

import io.brook.client.common.header.Headers;
import java.io.Closeable;
import java.util.Map;

/**
 * Turns a key or value into bytes. Implementations need a public no-argument constructor when named
 * in {@code key.serializer} / {@code value.serializer}. Called from the thread that calls send().
 */
public interface Serializer<T> extends Closeable {
  /** Called once with the client's configs; {@code isKey} says which role it plays. */
  default void configure(Map<String, ?> configs, boolean isKey) {}

  /** The bytes of {@code data}, or null for null. */
  byte[] serialize(String topic, T data);

  default byte[] serialize(String topic, Headers headers, T data) {
    return serialize(topic, data);
  }

  @Override
  default void close() {}
}
