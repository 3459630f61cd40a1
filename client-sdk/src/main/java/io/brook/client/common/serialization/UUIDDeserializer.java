package io.brook.client.common.serialization;

import io.brook.client.common.errors.SerializationException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Parses the canonical string form written by {@link UUIDSerializer}. */
public class UUIDDeserializer implements Deserializer<UUID> {
  @Override
  public UUID deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return UUID.fromString(new String(data, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new SerializationException("Error parsing data into UUID", e);
    }
  }
}
