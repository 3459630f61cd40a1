package io.brook.protocol.record;

import io.brook.common.Header;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A record inside a {@link RecordBatch}'s records section, encoded exactly as Kafka's magic-2
 * record. All integers are zig-zag varints/varlongs (see {@link ByteUtils}):
 *
 * <pre>
 * field             type            notes
 * ----------------  --------------  ---------------------------------------------------------
 * length            varint          bytes of the record after this field
 * attributes        int8            unused, 0
 * timestampDelta    varlong         timestamp minus the batch's baseTimestamp
 * offsetDelta       varint          offset minus the batch's baseOffset (0, 1, 2, ...)
 * keyLength         varint          -1 for a null key
 * key               byte[keyLength]
 * valueLength       varint          -1 for a null value
 * value             byte[valueLength]
 * headerCount       varint          number of headers (0 or more)
 * headers           headerCount x:
 *   headerKeyLength   varint          bytes of the UTF-8 key (never null)
 *   headerKey         UTF-8 bytes
 *   headerValueLength varint          -1 for a null value
 *   headerValue       byte[headerValueLength]
 * </pre>
 *
 * <p>Instances are immutable values produced by {@link RecordBatch#iterator()}; the static methods
 * are the one encoder and decoder of the format. Decoding never allocates from a length field
 * without first checking that the bytes it claims are present.
 */
public final class DefaultRecord implements Record {
  /** The smallest possible record: one byte for each of the seven fixed fields. */
  static final int MIN_RECORD_SIZE = 7;

  /** Largest size of a record's fixed fields (length, attributes, deltas, header count). */
  static final int MAX_RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;

  private static final Header[] NO_HEADERS = new Header[0];

  private final long offset;
  private final long timestamp;
  private final int sizeInBytes;
  private final ByteBuffer key;
  private final ByteBuffer value;
  private final Header[] headers;

  private DefaultRecord(
      long offset,
      long timestamp,
      int sizeInBytes,
      ByteBuffer key,
      ByteBuffer value,
      Header[] headers) {
    this.offset = offset;
    this.timestamp = timestamp;
    this.sizeInBytes = sizeInBytes;
    this.key = key;
    this.value = value;
    this.headers = headers;
  }

  @Override
  public long offset() {
    return offset;
  }

  @Override
  public long timestamp() {
    return timestamp;
  }

  @Override
  public int sizeInBytes() {
    return sizeInBytes;
  }

  @Override
  public ByteBuffer key() {
    return key == null ? null : key.duplicate();
  }

  @Override
  public ByteBuffer value() {
    return value == null ? null : value.duplicate();
  }

  @Override
  public int keySize() {
    return key == null ? -1 : key.remaining();
  }

  @Override
  public int valueSize() {
    return value == null ? -1 : value.remaining();
  }

  @Override
  public Header[] headers() {
    return headers.length == 0 ? headers : headers.clone();
  }

  @Override
  public String toString() {
    return "DefaultRecord(offset="
        + offset
        + ", timestamp="
        + timestamp
        + ", key="
        + keySize()
        + " bytes, value="
        + valueSize()
        + " bytes, headers="
        + Arrays.toString(headers)
        + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /** Encoded size of a record, length prefix included. */
  public static int sizeInBytes(
      int offsetDelta, long timestampDelta, byte[] key, byte[] value, Header[] headers) {
    int body = sizeOfBody(offsetDelta, timestampDelta, key, value, headers);
    return ByteUtils.sizeOfVarint(body) + body;
  }

  /**
   * An upper bound of the encoded size of a record with this key, value and headers, whatever its
   * deltas.
   */
  public static int sizeInBytesUpperBound(byte[] key, byte[] value, Header[] headers) {
    long size = MAX_RECORD_OVERHEAD + (long) lengthOf(key) + lengthOf(value);
    if (headers != null) {
      for (Header h : headers) {
        size += 10L + utf8Length(h.key()) + lengthOf(h.value());
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  static int sizeOfBody(
      int offsetDelta, long timestampDelta, byte[] key, byte[] value, Header[] headers) {
    int size = 1; // attributes
    size += ByteUtils.sizeOfVarlong(timestampDelta);
    size += ByteUtils.sizeOfVarint(offsetDelta);
    size += sizeOfBytes(key);
    size += sizeOfBytes(value);
    int headerCount = headers == null ? 0 : headers.length;
    size += ByteUtils.sizeOfVarint(headerCount);
    for (int i = 0; i < headerCount; i++) {
      Header h = headers[i];
      int keyLength = utf8Length(h.key());
      size += ByteUtils.sizeOfVarint(keyLength) + keyLength;
      size += sizeOfBytes(h.value());
    }
    return size;
  }

  /**
   * Writes one record at {@code out}'s position, which must have room for {@link #sizeInBytes}
   * bytes.
   *
   * @return the number of bytes written
   */
  static int writeTo(
      ByteBuffer out,
      int offsetDelta,
      long timestampDelta,
      byte[] key,
      byte[] value,
      Header[] headers) {
    int start = out.position();
    int body = sizeOfBody(offsetDelta, timestampDelta, key, value, headers);
    ByteUtils.writeVarint(body, out);
    out.put((byte) 0);
    ByteUtils.writeVarlong(timestampDelta, out);
    ByteUtils.writeVarint(offsetDelta, out);
    writeBytes(key, out);
    writeBytes(value, out);
    int headerCount = headers == null ? 0 : headers.length;
    ByteUtils.writeVarint(headerCount, out);
    for (int i = 0; i < headerCount; i++) {
      Header h = headers[i];
      ByteUtils.writeVarint(utf8Length(h.key()), out);
      writeUtf8(h.key(), out);
      writeBytes(h.value(), out);
    }
    return out.position() - start;
  }

  private static int lengthOf(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static int sizeOfBytes(byte[] bytes) {
    return bytes == null ? 1 : ByteUtils.sizeOfVarint(bytes.length) + bytes.length;
  }

  private static void writeBytes(byte[] bytes, ByteBuffer out) {
    if (bytes == null) {
      ByteUtils.writeVarint(-1, out);
    } else {
      ByteUtils.writeVarint(bytes.length, out);
      out.put(bytes);
    }
  }

  /**
   * Length of {@code s} in UTF-8, without encoding it. An unpaired surrogate counts as one byte,
   * the {@code '?'} that {@link String#getBytes} substitutes.
   */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      } else if (c < 0x800) {
        bytes += 1;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 2; // 4 bytes for 2 chars
        i++;
      } else if (Character.isSurrogate(c)) {
        continue; // '?'
      } else {
        bytes += 2;
      }
    }
    return bytes;
  }

  /** Writes {@code s} as UTF-8, byte for byte what {@link String#getBytes} would produce. */
  static void writeUtf8(String s, ByteBuffer out) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out.put((byte) c);
      } else if (c < 0x800) {
        out.put((byte) (0xc0 | (c >> 6)));
        out.put((byte) (0x80 | (c & 0x3f)));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out.put((byte) (0xf0 | (cp >> 18)));
        out.put((byte) (0x80 | ((cp >> 12) & 0x3f)));
        out.put((byte) (0x80 | ((cp >> 6) & 0x3f)));
        out.put((byte) (0x80 | (cp & 0x3f)));
      } else if (Character.isSurrogate(c)) {
        out.put((byte) '?');
      } else {
        out.put((byte) (0xe0 | (c >> 12)));
        out.put((byte) (0x80 | ((c >> 6) & 0x3f)));
        out.put((byte) (0x80 | (c & 0x3f)));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /**
   * Reads one record at {@code buffer}'s position and advances past it. Key and value are views
   * into {@code buffer}.
   *
   * @param logAppendTime when true (a LogAppendTime batch) every record's timestamp is {@code
   *     maxTimestamp}; otherwise it is {@code baseTimestamp} plus the record's delta
   * @throws CorruptRecordException when the bytes are not a whole, well-formed record
   */
  static DefaultRecord readFrom(
      ByteBuffer buffer,
      long baseOffset,
      long baseTimestamp,
      boolean logAppendTime,
      long maxTimestamp) {
    int start = buffer.position();
    try {
      int bodySize = ByteUtils.readVarint(buffer);
      if (bodySize < MIN_RECORD_SIZE - 1 || bodySize > buffer.remaining()) {
        throw new CorruptRecordException(
            "record at byte "
                + start
                + " of the records section claims "
                + bodySize
                + " bytes but "
                + buffer.remaining()
                + " remain");
      }
      int end = buffer.position() + bodySize;
      ByteBuffer body = buffer.duplicate();
      body.limit(end);
      body.get(); // attributes: unused
      long timestampDelta = ByteUtils.readVarlong(body);
      int offsetDelta = ByteUtils.readVarint(body);
      ByteBuffer key = readBytes(body, "key");
      ByteBuffer value = readBytes(body, "value");
      int headerCount = ByteUtils.readVarint(body);
      // Every header takes at least 2 bytes: refuse counts the remaining bytes cannot hold before
      // allocating the array.
      if (headerCount < 0 || headerCount > body.remaining() / 2) {
        throw new CorruptRecordException(
            "record claims "
                + headerCount
                + " headers but only "
                + body.remaining()
                + " bytes remain");
      }
      Header[] headers = headerCount == 0 ? NO_HEADERS : new Header[headerCount];
      for (int i = 0; i < headerCount; i++) {
        int keyLength = ByteUtils.readVarint(body);
        if (keyLength < 0 || keyLength > body.remaining()) {
          throw new CorruptRecordException(
              "header key length " + keyLength + " with " + body.remaining() + " bytes left");
        }
        byte[] keyBytes = new byte[keyLength];
        body.get(keyBytes);
        ByteBuffer headerValue = readBytes(body, "header value");
        byte[] valueBytes = null;
        if (headerValue != null) {
          valueBytes = new byte[headerValue.remaining()];
          headerValue.get(valueBytes);
        }
        headers[i] = new Header(new String(keyBytes, StandardCharsets.UTF_8), valueBytes);
      }
      if (body.hasRemaining()) {
        throw new CorruptRecordException(
            "record at byte "
                + start
                + " has "
                + body.remaining()
                + " bytes after its last header");
      }
      buffer.position(end);
      long timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
      return new DefaultRecord(
          baseOffset + offsetDelta, timestamp, end - start, key, value, headers);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new CorruptRecordException(
          "record at byte " + start + " of the records section is truncated or malformed", e);
    }
  }

  private static ByteBuffer readBytes(ByteBuffer body, String what) {
    int length = ByteUtils.readVarint(body);
    if (length < 0) {
      if (length != -1) {
        throw new CorruptRecordException("record " + what + " has length " + length);
      }
      return null;
    }
    if (length > body.remaining()) {
      throw new CorruptRecordException(
          "record "
              + what
              + " of "
              + length
              + " bytes runs past the record ("
              + body.remaining()
              + " bytes left)");
    }
    ByteBuffer slice = body.slice();
    slice.limit(length);
    body.position(body.position() + length);
    return slice;
  }
}
