package io.brook.protocol.record.internals;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.CorruptRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyCodec;
import org.xerial.snappy.SnappyError;
import org.xerial.snappy.SnappyOutputStream;

/**
 * Compresses and decompresses a batch's records section as one unit. The compressed forms are those
 * Kafka writes, so the bytes are interchangeable with Kafka's:
 *
 * <pre>
 * codec   format
 * ------  --------------------------------------------------------------------------------------
 * gzip    RFC 1952 gzip stream (java.util.zip)
 * snappy  snappy-java framing: 16-byte header (magic 0x82 "SNAPPY" 0x00, version 1, compatible
 *         version 1), then chunks of [int32 compressed length][raw snappy block]
 * lz4     LZ4 frame format (lz4-java LZ4FrameOutputStream, 64 KiB blocks)
 * zstd    zstd frame (zstd-jni, level 3)
 * </pre>
 *
 * <p>Decompression treats its input as hostile: any failure of the codec, and any output beyond
 * {@code maxBytes}, is a {@link CorruptRecordException}. The output buffer grows with the bytes
 * actually produced; no length read from the input is used to size an allocation before it is
 * checked against {@code maxBytes}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Compression {
  static final int ZSTD_LEVEL = 3;
  private static final int CHUNK = 64 * 1024;
  private static final int SNAPPY_HEADER_SIZE = SnappyCodec.headerSize();

  private Compression() {}

  /**
   * Compresses the remaining bytes of {@code src} (its position does not move).
   *
   * @param headroom bytes to leave free at the start of the result (for the batch header)
   * @return a heap buffer at position 0 whose bytes [headroom, limit) are the compressed data
   */
  public static ByteBuffer compress(CompressionType type, ByteBuffer src, int headroom) {
    byte[] array;
    int offset;
    int length = src.remaining();
    if (src.hasArray()) {
      array = src.array();
      offset = src.arrayOffset() + src.position();
    } else {
      array = new byte[length];
      src.duplicate().get(array);
      offset = 0;
    }
    try {
      switch (type) {
        case NONE:
          {
            ByteBuffer out = ByteBuffer.allocate(headroom + length);
            out.position(headroom);
            out.put(array, offset, length);
            return out.flip();
          }
        case ZSTD:
          return compressZstd(array, offset, length, headroom);
        default:
          {
            ByteBufferOutputStream out =
                new ByteBufferOutputStream(headroom + Math.max(64, length / 2));
            out.position(headroom);
            try (OutputStream codec = wrapForOutput(type, out)) {
              codec.write(array, offset, length);
            }
            return out.buffer().flip();
          }
      }
    } catch (IOException e) {
      // The sink is memory: an IOException is a codec failure, not an I/O condition.
      throw new UncheckedIOException("cannot compress records with " + type.configName, e);
    }
  }

  private static OutputStream wrapForOutput(CompressionType type, OutputStream out)
      throws IOException {
    return switch (type) {
      case GZIP -> new GZIPOutputStream(out, 8 * 1024);
      case SNAPPY -> new SnappyOutputStream(out);
      case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB);
      default -> throw new IllegalArgumentException("no stream codec for " + type);
    };
  }

  private static ByteBuffer compressZstd(byte[] src, int offset, int length, int headroom) {
    long bound = Zstd.compressBound(length);
    if (bound > ByteBufferOutputStream.MAX_ARRAY_SIZE - headroom) {
      throw new IllegalArgumentException("records section of " + length + " bytes is too large");
    }
    byte[] dst = new byte[headroom + (int) bound];
    long written =
        Zstd.compressByteArray(dst, headroom, (int) bound, src, offset, length, ZSTD_LEVEL);
    if (Zstd.isError(written)) {
      throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(written));
    }
    return ByteBuffer.wrap(dst, 0, headroom + (int) written);
  }

  /**
   * Decompresses the remaining bytes of {@code src} (its position does not move).
   *
   * @param maxBytes the most decompressed bytes accepted
   * @return a heap buffer at position 0 holding the decompressed bytes
   * @throws CorruptRecordException when {@code src} is not valid data of the codec or decompresses
   *     to more than {@code maxBytes}
   */
  public static ByteBuffer decompress(CompressionType type, ByteBuffer src, int maxBytes) {
    if (type == CompressionType.NONE) {
      if (src.remaining() > maxBytes) {
        throw tooLarge(type, maxBytes);
      }
      return src.duplicate().slice();
    }
    try {
      if (type == CompressionType.SNAPPY) {
        return decompressSnappy(src, maxBytes);
      }
      try (InputStream in = wrapForInput(type, new ByteBufferInputStream(src))) {
        return drain(type, in, src.remaining(), maxBytes);
      }
    } catch (CorruptRecordException e) {
      throw e;
    } catch (IOException | RuntimeException | SnappyError e) {
      throw new CorruptRecordException(
          type.configName + " records section does not decompress: " + e, e);
    }
  }

  private static InputStream wrapForInput(CompressionType type, InputStream in) throws IOException {
    return switch (type) {
      case GZIP -> new GZIPInputStream(in, 8 * 1024);
      case LZ4 -> new LZ4FrameInputStream(in);
      case ZSTD -> new ZstdInputStreamNoFinalizer(in);
      default -> throw new IllegalArgumentException("no stream codec for " + type);
    };
  }

  private static ByteBuffer drain(CompressionType type, InputStream in, int srcSize, int maxBytes)
      throws IOException {
    int initial = (int) Math.min(maxBytes + 1L, Math.max(1024L, 2L * srcSize));
    ByteBufferOutputStream out = new ByteBufferOutputStream(initial, maxBytes + 1);
    while (true) {
      // Read at most one byte past the limit: enough to know it was exceeded.
      int room = maxBytes + 1 - out.position();
      if (room <= 0) {
        throw tooLarge(type, maxBytes);
      }
      out.ensureRemaining(Math.min(CHUNK, room));
      ByteBuffer b = out.buffer();
      int n = in.read(b.array(), b.arrayOffset() + b.position(), Math.min(b.remaining(), room));
      if (n < 0) {
        return b.flip();
      }
      b.position(b.position() + n);
    }
  }

  private static ByteBuffer decompressSnappy(ByteBuffer src, int maxBytes) throws IOException {
    ByteBuffer in = src.duplicate();
    if (in.remaining() < SNAPPY_HEADER_SIZE) {
      throw new CorruptRecordException(
          "snappy records section of " + in.remaining() + " bytes has no stream header");
    }
    byte[] header = new byte[SNAPPY_HEADER_SIZE];
    in.get(header);
    if (!SnappyCodec.hasMagicHeaderPrefix(header)) {
      throw new CorruptRecordException("snappy records section lacks the snappy-java magic");
    }
    int initial = (int) Math.min(maxBytes, Math.max(1024L, 2L * src.remaining()));
    ByteBufferOutputStream out = new ByteBufferOutputStream(initial, maxBytes);
    byte[] chunk = new byte[0];
    while (in.hasRemaining()) {
      if (in.remaining() < 4) {
        throw new CorruptRecordException("snappy chunk header truncated");
      }
      int length = in.getInt();
      if (length <= 0 || length > in.remaining()) {
        throw new CorruptRecordException(
            "snappy chunk of " + length + " bytes with " + in.remaining() + " bytes left");
      }
      if (chunk.length < length) {
        chunk = new byte[length];
      }
      in.get(chunk, 0, length);
      int uncompressed = Snappy.uncompressedLength(chunk, 0, length);
      if (uncompressed < 0 || uncompressed > maxBytes - out.position()) {
        throw tooLarge(CompressionType.SNAPPY, maxBytes);
      }
      out.ensureRemaining(uncompressed);
      ByteBuffer b = out.buffer();
      int n = Snappy.uncompress(chunk, 0, length, b.array(), b.arrayOffset() + b.position());
      if (n != uncompressed) {
        throw new CorruptRecordException(
            "snappy chunk decompressed to " + n + " bytes, header said " + uncompressed);
      }
      b.position(b.position() + n);
    }
    return out.buffer().flip();
  }

  private static CorruptRecordException tooLarge(CompressionType type, int maxBytes) {
    return new CorruptRecordException(
        type.configName + " records section decompresses to more than " + maxBytes + " bytes");
  }
}
