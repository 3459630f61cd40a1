package io.brook.protocol.record;

/**
 * The codec of a batch's records section, stored in bits 0-2 of the attributes. Names are those of
 * {@code compression.type}.
 */
public enum CompressionType {
  NONE(0, "none"),
  GZIP(1, "gzip"),
  SNAPPY(2, "snappy"),
  LZ4(3, "lz4"),
  ZSTD(4, "zstd");

  public final int id;
  public final String configName;

  CompressionType(int id, String configName) {
    this.id = id;
    this.configName = configName;
  }

  public static CompressionType forId(int id) {
    for (CompressionType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    throw new CorruptRecordException("unknown compression codec id " + id);
  }

  public static CompressionType forName(String name) {
    for (CompressionType t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown compression.type \"" + name + "\"; expected none, gzip, snappy, lz4 or zstd");
  }
}
