package io.brook.systest.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.systest.check.ValueCodec.Decoded;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  @Test
  void encodedValueDecodesToWhatWasEncodedAndIsPadded() {
    String v = ValueCodec.encode("acks-all", 2, "w1", 12345);
    assertEquals(ValueCodec.TARGET_LENGTH, v.length(), v);
    assertTrue(v.startsWith("v1|acks-all|2|w1|12345|"), v);
    assertEquals(new Decoded("acks-all", 2, "w1", 12345), ValueCodec.decode(v).orElseThrow());
  }

  @Test
  void longNamesMakeLongerValuesThatStillDecode() {
    String topic = "t".repeat(120);
    String v = ValueCodec.encode(topic, 0, "writer", 1);
    assertTrue(v.length() > ValueCodec.TARGET_LENGTH);
    assertEquals(topic, ValueCodec.decode(v).orElseThrow().topic());
  }

  @Test
  void distinctSendsGiveDistinctValues() {
    assertNotEquals(ValueCodec.encode("t", 0, "w", 1), ValueCodec.encode("t", 0, "w", 2));
    assertNotEquals(ValueCodec.encode("t", 0, "w", 1), ValueCodec.encode("t", 1, "w", 1));
  }

  @Test
  void anyChangedCharacterFailsTheChecksum() {
    String v = ValueCodec.encode("acks-one", 1, "w1", 7);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      String changed = v.substring(0, i) + (c == 'x' ? 'y' : 'x') + v.substring(i + 1);
      assertFalse(ValueCodec.decode(changed).isPresent(), "accepted " + changed);
    }
  }

  @Test
  void garbageIsRejected() {
    assertFalse(ValueCodec.decode(null).isPresent());
    assertFalse(ValueCodec.decode("").isPresent());
    assertFalse(ValueCodec.decode("hello").isPresent());
    assertFalse(ValueCodec.decode("v1|t|0|w|1|....|0000000").isPresent());
    String v = ValueCodec.encode("t", 0, "w", 1);
    assertFalse(ValueCodec.decode(v.substring(0, v.length() - 1)).isPresent());
    assertFalse(ValueCodec.decode(v + " ").isPresent());
  }

  @Test
  void namesThatWouldBreakTheFormatAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ValueCodec.encode("a|b", 0, "w", 1));
    assertThrows(IllegalArgumentException.class, () -> ValueCodec.encode("t", 0, "w x", 1));
    assertThrows(IllegalArgumentException.class, () -> ValueCodec.encode("t", 0, "", 1));
  }
}
