package io.brook.broker.testing;

import com.google.protobuf.ByteString;
import io.brook.common.Header;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Record batches for tests. */
public final class Batches {
  private Batches() {}

  /** A batch of {@code n} records "value-i" with keys "key-i", timestamps ts+i. */
  public static ByteString of(int n, long ts) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 1024);
    for (int i = 0; i < n; i++) {
      b.append(
          ts + i,
          ("key-" + i).getBytes(StandardCharsets.UTF_8),
          ("value-" + i).getBytes(StandardCharsets.UTF_8),
          new Header[0]);
    }
    return ByteString.copyFrom(b.build());
  }

  /** One record whose value has {@code valueBytes} bytes. */
  public static ByteString ofSize(int valueBytes) {
    RecordBatchBuilder b =
        new RecordBatchBuilder(
            CompressionType.NONE, TimestampType.CREATE_TIME, 0, valueBytes + 128);
    b.append(1000L, null, new byte[valueBytes], new Header[0]);
    return ByteString.copyFrom(b.build());
  }

  /** The same batch with one byte of its CRC-covered part flipped. */
  public static ByteString corrupt(ByteString batch) {
    byte[] bytes = batch.toByteArray();
    bytes[bytes.length - 1] ^= 0x5a;
    return ByteString.copyFrom(bytes);
  }

  public static ByteBuffer buffer(ByteString s) {
    return s.asReadOnlyByteBuffer();
  }
}
