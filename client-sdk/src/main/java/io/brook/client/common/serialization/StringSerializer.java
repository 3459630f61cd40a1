package io.brook.client.common.serialization;

import io.brook.client.common.errors.SerializationException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * UTF-8 by default; {@code key.serializer.encoding} / {@code value.serializer.encoding} / {@code
 * serializer.encoding} choose another charset.
 */
public class StringSerializer implements Serializer<String> {
  private Charset encoding = StandardCharsets.UTF_8;

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object name = configs.get(isKey ? "key.serializer.encoding" : "value.serializer.encoding");
    if (name == null) {
      name = configs.get("serializer.encoding");
    }
    if (name != null) {
      try {
        encoding = Charset.forName(name.toString());
      } catch (IllegalArgumentException e) {
        throw new SerializationException("Unsupported encoding " + name, e);
      }
    }
  }

  @Override
  public byte[] serialize(String topic, String data) {
    return data == null ? null : data.getBytes(encoding);
  }
}
