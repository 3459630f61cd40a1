package io.brook.protocol.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Header;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DefaultRecordTest {

  @Test
  void encodesExactlyAsKafkaMagicTwo() {
    // offsetDelta 1, timestampDelta 2, key "k", value "vv", one header ("h", null).
    ByteBuffer out = ByteBuffer.allocate(64);
    Header[] headers = {new Header("h", null)};
    int written =
        DefaultRecord.writeTo(out, 1, 2L, "k".getBytes(UTF_8), "vv".getBytes(UTF_8), headers);
    byte[] got = new byte[written];
    out.flip().get(got);
    // length=12 (0x18), attrs 0, tsDelta 2 (0x04), offDelta 1 (0x02), keyLen 1 (0x02) 'k',
    // valueLen 2 (0x04) 'v' 'v', headers 1 (0x02), keyLen 1 (0x02) 'h', valueLen -1 (0x01)
    assertEquals(
        "1800040202" + "6b" + "04" + "7676" + "02" + "02" + "68" + "01",
        HexFormat.of().formatHex(got));
    assertEquals(
        written,
        DefaultRecord.sizeInBytes(1, 2L, "k".getBytes(UTF_8), "vv".getBytes(UTF_8), headers));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "ascii",
        "ünïcødé",
        "日本語",
        "emoji 🚀 pair",
        "lone high \uD800 surrogate",
        "lone low \uDC00 surrogate",
        "high at end \uD83D",
        "\u0000\u007f\u0080\u07ff\u0800\uffff"
      })
  void utf8MatchesTheJdk(String s) {
    byte[] expected = s.getBytes(UTF_8);
    assertEquals(expected.length, DefaultRecord.utf8Length(s), "utf8Length of " + s);
    ByteBuffer out = ByteBuffer.allocate(expected.length);
    DefaultRecord.writeUtf8(s, out);
    assertArrayEquals(expected, out.array(), "bytes of " + s);
  }

  @Test
  void sizeUpperBoundIsAnUpperBound() {
    byte[] key = new byte[10];
    byte[] value = new byte[1000];
    Header[] headers = {Header.of("a", "b"), new Header("c", null)};
    int bound = DefaultRecord.sizeInBytesUpperBound(key, value, headers);
    int worst = DefaultRecord.sizeInBytes(Integer.MIN_VALUE, Long.MIN_VALUE, key, value, headers);
    assertTrue(bound >= worst, "bound " + bound + " < worst case " + worst);
  }

  /** A record with one field broken, and what the reader must say about it. */
  record Broken(String name, String hex) {}

  @Test
  void malformedRecordsAreCorrupt() {
    // Lengths are zig-zag varints too: a body of L bytes has length byte 2L.
    Broken[] cases = {
      new Broken("length runs past the buffer", "1a00"),
      new Broken("negative length", "01"),
      new Broken("length too small for the fixed fields", "0200"),
      new Broken("key length past the record", "18" + "000000" + "20" + "0000000000000000"),
      new Broken("key length -2", "16" + "000000" + "03" + "00000000000000"),
      new Broken("value length past the record", "16" + "000000" + "01" + "20" + "000000000000"),
      new Broken("huge header count", "16" + "000000" + "0101" + "feffffff0f" + "00"),
      new Broken("negative header count", "16" + "000000" + "0101" + "03" + "0000000000"),
      new Broken("header key past the record", "16" + "000000" + "0101" + "02" + "40" + "00000000"),
      new Broken("bytes after the last header", "16" + "000000" + "0101" + "00" + "0000000000"),
      new Broken("overlong varint", "18" + "00" + "ffffffffffffffffffffff"),
      new Broken("empty", ""),
    };
    for (Broken c : cases) {
      ByteBuffer buf = ByteBuffer.wrap(HexFormat.of().parseHex(c.hex()));
      CorruptRecordException e =
          assertThrows(
              CorruptRecordException.class,
              () -> DefaultRecord.readFrom(buf, 0L, 0L, false, 0L),
              c.name());
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), c.name());
    }
  }
}
