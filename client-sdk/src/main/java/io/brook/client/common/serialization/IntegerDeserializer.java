package io.brook.client.common.serialization;

import io.brook.client.common.errors.SerializationException;

/** Four bytes, big-endian. */
public class IntegerDeserializer implements Deserializer<Integer> {
  @Override
  public Integer deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length != 4) {
      throw new SerializationException("Size of data received by IntegerDeserializer is not 4");
    }
    int v = 0;
    for (byte b : data) {
      v = (v << 8) | (b & 0xFF);
    }
    return v;
  }
}
