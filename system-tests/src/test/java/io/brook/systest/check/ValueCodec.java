package io.brook.systest.check;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The one definition of the workload's record values: unique, self-describing and self-checking.
 *
 * <p>Format (ASCII, no spaces, no newlines, so that it survives a dump-log line unchanged):
 *
 * <pre>
 *   v1|&lt;topic&gt;|&lt;partition&gt;|&lt;writer&gt;|&lt;seq&gt;|&lt;padding of '.'&gt;|&lt;crc32 hex, 8 digits&gt;
 * </pre>
 *
 * <p>The CRC32 covers every character before the last {@code |}. The padding brings the value to
 * {@link #TARGET_LENGTH} characters (longer topics or writers make it longer, never shorter than
 * needed). {@code (topic, writer, seq)} is unique per send attempt, so a value names exactly one
 * attempt; {@code partition} is the partition the producer asked for, so a value found elsewhere is
 * misplaced.
 *
 * <p>Stateless and thread-safe.
 */
public final class ValueCodec {
  /** The length values are padded to, about the ~100 bytes the workload asks for. */
  public static final int TARGET_LENGTH = 100;

  private static final String VERSION = "v1";
  private static final int CRC_HEX_LENGTH = 8;

  private ValueCodec() {}

  /** What a valid value says about the send that produced it. */
  public record Decoded(String topic, int partition, String writer, long seq) {}

  /**
   * The value for the {@code seq}-th send of {@code writer} to {@code topic}/{@code partition}.
   *
   * @throws IllegalArgumentException if topic or writer contain {@code |} or whitespace
   */
  public static String encode(String topic, int partition, String writer, long seq) {
    requireToken("topic", topic);
    requireToken("writer", writer);
    String head = VERSION + "|" + topic + "|" + partition + "|" + writer + "|" + seq + "|";
    int padding = Math.max(1, TARGET_LENGTH - head.length() - 1 - CRC_HEX_LENGTH);
    String body = head + ".".repeat(padding);
    return body + "|" + crcHex(body);
  }

  /**
   * Decodes and verifies {@code value}.
   *
   * @return empty if the value is null, not in this format or fails its checksum
   */
  public static Optional<Decoded> decode(String value) {
    if (value == null) {
      return Optional.empty();
    }
    int lastBar = value.lastIndexOf('|');
    if (lastBar < 0 || value.length() - lastBar - 1 != CRC_HEX_LENGTH) {
      return Optional.empty();
    }
    String body = value.substring(0, lastBar);
    if (!crcHex(body).equals(value.substring(lastBar + 1))) {
      return Optional.empty();
    }
    String[] f = body.split("\\|", -1);
    if (f.length != 6 || !VERSION.equals(f[0]) || !f[5].matches("\\.+")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Decoded(f[1], Integer.parseInt(f[2]), f[3], Long.parseLong(f[4])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String crcHex(String body) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x", crc.getValue());
  }

  private static void requireToken(String what, String s) {
    if (s.isEmpty() || s.contains("|") || s.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          what + " \"" + s + "\" must be non-empty, without '|' and without whitespace");
    }
  }
}
