package io.brook.protocol.record;

import java.nio.ByteBuffer;

/**
 * Variable-length integers as in Kafka's record format (and protobuf's {@code sint32}/{@code
 * sint64}): zig-zag encoding, so that small negative numbers stay short, then 7 bits per byte,
 * least significant group first, the high bit of each byte set when more bytes follow. An int takes
 * 1-5 bytes, a long 1-10.
 *
 * <p>Stateless; all methods read or write at the buffer's position and advance it.
 */
public final class ByteUtils {
  private ByteUtils() {}

  /**
   * Reads a zig-zag varint.
   *
   * @throws IllegalArgumentException when more than 5 bytes carry the continuation bit
   * @throws java.nio.BufferUnderflowException when the buffer ends inside the varint
   */
  public static int readVarint(ByteBuffer buffer) {
    int raw = readUnsignedVarint(buffer);
    return (raw >>> 1) ^ -(raw & 1);
  }

  /**
   * Reads a zig-zag varlong.
   *
   * @throws IllegalArgumentException when more than 10 bytes carry the continuation bit
   * @throws java.nio.BufferUnderflowException when the buffer ends inside the varlong
   */
  public static long readVarlong(ByteBuffer buffer) {
    long raw = readUnsignedVarlong(buffer);
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Reads an unsigned (not zig-zag) varint. */
  public static int readUnsignedVarint(ByteBuffer buffer) {
    int value = 0;
    int shift = 0;
    int b;
    while (((b = buffer.get()) & 0x80) != 0) {
      value |= (b & 0x7f) << shift;
      shift += 7;
      if (shift > 28) {
        throw new IllegalArgumentException("varint is longer than 5 bytes");
      }
    }
    return value | (b << shift);
  }

  /** Reads an unsigned (not zig-zag) varlong. */
  public static long readUnsignedVarlong(ByteBuffer buffer) {
    long value = 0L;
    int shift = 0;
    long b;
    while (((b = buffer.get()) & 0x80) != 0) {
      value |= (b & 0x7f) << shift;
      shift += 7;
      if (shift > 63) {
        throw new IllegalArgumentException("varlong is longer than 10 bytes");
      }
    }
    return value | (b << shift);
  }

  /** Writes {@code value} as a zig-zag varint. */
  public static void writeVarint(int value, ByteBuffer buffer) {
    writeUnsignedVarint((value << 1) ^ (value >> 31), buffer);
  }

  /** Writes {@code value} as a zig-zag varlong. */
  public static void writeVarlong(long value, ByteBuffer buffer) {
    writeUnsignedVarlong((value << 1) ^ (value >> 63), buffer);
  }

  /** Writes {@code value} as an unsigned (not zig-zag) varint. */
  public static void writeUnsignedVarint(int value, ByteBuffer buffer) {
    while ((value & 0xffffff80) != 0) {
      buffer.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    buffer.put((byte) value);
  }

  /** Writes {@code value} as an unsigned (not zig-zag) varlong. */
  public static void writeUnsignedVarlong(long value, ByteBuffer buffer) {
    while ((value & 0xffffffffffffff80L) != 0L) {
      buffer.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    buffer.put((byte) value);
  }

  /** Bytes that {@link #writeVarint} takes for {@code value}: 1 to 5. */
  public static int sizeOfVarint(int value) {
    return sizeOfUnsignedVarint((value << 1) ^ (value >> 31));
  }

  /** Bytes that {@link #writeVarlong} takes for {@code value}: 1 to 10. */
  public static int sizeOfVarlong(long value) {
    return sizeOfUnsignedVarlong((value << 1) ^ (value >> 63));
  }

  /** Bytes that {@link #writeUnsignedVarint} takes for {@code value}: 1 to 5. */
  public static int sizeOfUnsignedVarint(int value) {
    // 32 significant bits need ceil(bits / 7) bytes; zero still takes one byte.
    int bits = 32 - Integer.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }

  /** Bytes that {@link #writeUnsignedVarlong} takes for {@code value}: 1 to 10. */
  public static int sizeOfUnsignedVarlong(long value) {
    int bits = 64 - Long.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }
}
