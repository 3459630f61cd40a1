package io.brook.client.common.serialization;

import io.brook.client.common.header.Headers;
import java.nio.ByteBuffer;

/** Wraps the bytes; with the ByteBuffer overload, returns the buffer itself without a copy. */
public class ByteBufferDeserializer implements Deserializer<ByteBuffer> {
  @Override
  public ByteBuffer deserialize(String topic, byte[] data) {
    return data == null ? null : ByteBuffer.wrap(data);
  }

  @Override
  public ByteBuffer deserialize(String topic, Headers headers, ByteBuffer data) {
    return data;
  }
}
