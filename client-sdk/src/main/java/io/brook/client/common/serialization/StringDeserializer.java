package io.brook.client.common.serialization;

import io.brook.client.common.errors.SerializationException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * UTF-8 by default; {@code key.deserializer.encoding} / {@code value.deserializer.encoding} /
 * {@code deserializer.encoding} choose another charset.
 */
public class StringDeserializer implements Deserializer<String> {
  private Charset encoding = StandardCharsets.UTF_8;

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object name = configs.get(isKey ? "key.deserializer.encoding" : "value.deserializer.encoding");
    if (name == null) {
      name = configs.get("deserializer.encoding");
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
  public String deserialize(String topic, byte[] data) {
    return data == null ? null : new String(data, encoding);
  }
}
