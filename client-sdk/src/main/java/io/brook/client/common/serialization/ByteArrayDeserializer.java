package io.brook.client.common.serialization;

/** Passes bytes through unchanged. */
public class ByteArrayDeserializer implements Deserializer<byte[]> {
  @Override
  public byte[] deserialize(String topic, byte[] data) {
    return data;
  }
}
