package io.brook.client.common.serialization;

import java.nio.ByteBuffer;

/** The remaining bytes of the buffer (from position to limit); the buffer is not modified. */
public class ByteBufferSerializer implements Serializer<ByteBuffer> {
  @Override
  public byte[] serialize(String topic, ByteBuffer data) {
    if (data == null) {
      return null;
    }
    ByteBuffer d = data.duplicate();
    if (d.hasArray()
        && d.arrayOffset() == 0
        && d.position() == 0
        && d.limit() == d.array().length) {
      return d.array();
    }
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
