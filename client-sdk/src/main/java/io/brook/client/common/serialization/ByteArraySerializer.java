package io.brook.client.common.serialization;

/** Passes bytes through unchanged (no copy). */
public class ByteArraySerializer implements Serializer<byte[]> {
  @Override
  public byte[] serialize(String topic, byte[] data) {
    return data;
  }
}
