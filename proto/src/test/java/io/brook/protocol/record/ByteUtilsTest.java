package io.brook.protocol.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ByteUtilsTest {

  static Stream<Arguments> intCases() {
    // value, expected encoding (zig-zag, then 7 bits per byte, low group first)
    return Stream.of(
        Arguments.of(0, new int[] {0x00}),
        Arguments.of(-1, new int[] {0x01}),
        Arguments.of(1, new int[] {0x02}),
        Arguments.of(63, new int[] {0x7e}),
        Arguments.of(-64, new int[] {0x7f}),
        Arguments.of(64, new int[] {0x80, 0x01}),
        Arguments.of(-65, new int[] {0x81, 0x01}),
        Arguments.of(300, new int[] {0xd8, 0x04}),
        Arguments.of(Integer.MAX_VALUE, new int[] {0xfe, 0xff, 0xff, 0xff, 0x0f}),
        Arguments.of(Integer.MIN_VALUE, new int[] {0xff, 0xff, 0xff, 0xff, 0x0f}));
  }

  @ParameterizedTest
  @MethodSource("intCases")
  void varintEncodesAsKafkaDoes(int value, int[] expected) {
    ByteBuffer buf = ByteBuffer.allocate(10);
    ByteUtils.writeVarint(value, buf);
    buf.flip();
    byte[] got = new byte[buf.remaining()];
    buf.duplicate().get(got);
    assertArrayEquals(toBytes(expected), got, "encoding of " + value);
    assertEquals(expected.length, ByteUtils.sizeOfVarint(value), "sizeOfVarint(" + value + ")");
    assertEquals(value, ByteUtils.readVarint(buf));
    assertEquals(0, buf.remaining());
  }

  static Stream<Arguments> longCases() {
    return Stream.of(
        Arguments.of(0L, 1),
        Arguments.of(-1L, 1),
        Arguments.of(1L, 1),
        Arguments.of(63L, 1),
        Arguments.of(64L, 2),
        Arguments.of((long) Integer.MAX_VALUE, 5),
        Arguments.of((long) Integer.MIN_VALUE, 5),
        Arguments.of(1L << 35, 6),
        Arguments.of(Long.MAX_VALUE, 10),
        Arguments.of(Long.MIN_VALUE, 10));
  }

  @ParameterizedTest
  @MethodSource("longCases")
  void varlongRoundTripsAtEdges(long value, int size) {
    ByteBuffer buf = ByteBuffer.allocate(16);
    ByteUtils.writeVarlong(value, buf);
    assertEquals(size, buf.position(), "bytes written for " + value);
    assertEquals(size, ByteUtils.sizeOfVarlong(value), "sizeOfVarlong(" + value + ")");
    buf.flip();
    assertEquals(value, ByteUtils.readVarlong(buf));
    assertEquals(0, buf.remaining());
  }

  @Test
  void randomValuesRoundTripAndSizesAgree() {
    Random random = new Random(42);
    ByteBuffer buf = ByteBuffer.allocate(16);
    for (int i = 0; i < 100_000; i++) {
      int shift = random.nextInt(32);
      int v = random.nextInt() >> shift;
      buf.clear();
      ByteUtils.writeVarint(v, buf);
      assertEquals(ByteUtils.sizeOfVarint(v), buf.position(), "size of " + v);
      buf.flip();
      assertEquals(v, ByteUtils.readVarint(buf));

      long l = random.nextLong() >> random.nextInt(64);
      buf.clear();
      ByteUtils.writeVarlong(l, buf);
      assertEquals(ByteUtils.sizeOfVarlong(l), buf.position(), "size of " + l);
      buf.flip();
      assertEquals(l, ByteUtils.readVarlong(buf));
    }
  }

  @Test
  void overlongVarintsAreRejected() {
    ByteBuffer sixBytes = ByteBuffer.wrap(toBytes(new int[] {0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
    assertThrows(IllegalArgumentException.class, () -> ByteUtils.readVarint(sixBytes));
    byte[] eleven = new byte[11];
    java.util.Arrays.fill(eleven, (byte) 0x80);
    eleven[10] = 0x01;
    assertThrows(
        IllegalArgumentException.class, () -> ByteUtils.readVarlong(ByteBuffer.wrap(eleven)));
  }

  @Test
  void truncatedVarintsUnderflow() {
    assertThrows(
        BufferUnderflowException.class,
        () -> ByteUtils.readVarint(ByteBuffer.wrap(toBytes(new int[] {0x80, 0x80}))));
    assertThrows(
        BufferUnderflowException.class, () -> ByteUtils.readVarlong(ByteBuffer.allocate(0)));
  }

  private static byte[] toBytes(int[] ints) {
    byte[] b = new byte[ints.length];
    for (int i = 0; i < ints.length; i++) {
      b[i] = (byte) ints[i];
    }
    return b;
  }
}
