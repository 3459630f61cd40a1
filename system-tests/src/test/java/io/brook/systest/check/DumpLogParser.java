package io.brook.systest.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the output of {@code brook-dump-log.sh --files F1,F2,... --print-data-log} (Kafka's
 * kafka-dump-log.sh format) for {@code .log} files:
 *
 * <pre>
 * Dumping /abs/path/00000000000000000000.log
 * Log starting offset: 0
 * baseOffset: 0 lastOffset: 2 count: 3 ... position: 0 ... crc: 2771183391 isvalid: true
 * | offset: 0 CreateTime: 1763771234000 keySize: -1 valueSize: 40 ... payload: &lt;value&gt;
 * Found 17 invalid bytes at the end of 00000000000000000000.log
 * </pre>
 *
 * <ul>
 *   <li>{@code Dumping <path>} starts a file; files follow one another.
 *   <li>A batch header line ({@code baseOffset: ...}) is a list of {@code name: value} pairs; a
 *       batch with {@code isvalid: false} failed its CRC and has no record lines.
 *   <li>A record line ({@code | offset: ...}) belongs to the batch above it; {@code payload:} is
 *       the last field and runs to the end of the line; {@code key: <utf8>} may precede it.
 *   <li>{@code | corrupt records: <why>} says the batch above passed its CRC but its records could
 *       not all be read; the batch counts as not valid.
 *   <li>{@code Found <n> invalid bytes at the end of <name>} ends the current file's batches.
 *   <li>Any other line (index dumps, blank lines, warnings) is ignored.
 * </ul>
 *
 * <p>Record lines under an invalid batch (the format says there are none) are kept in that batch;
 * consumers of the result must ignore the records of invalid batches.
 *
 * <p>Stateless and thread-safe. Malformed lines of the known kinds throw {@link
 * IllegalArgumentException} naming the line, since a checker that silently skips what it cannot
 * read would hide the very corruption it looks for.
 */
public final class DumpLogParser {
  private static final String DUMPING = "Dumping ";
  private static final String LOG_START = "Log starting offset:";
  private static final String BATCH = "baseOffset:";
  private static final String RECORD = "| offset:";
  private static final String CORRUPT_RECORDS = "| corrupt records:";
  private static final Pattern INVALID_BYTES =
      Pattern.compile("^Found (\\d+) invalid bytes at the end of (.*)$");
  private static final Pattern FIELD = Pattern.compile("(\\w+): (\\S+)");
  private static final Pattern RECORD_OFFSET = Pattern.compile("^\\| offset: (-?\\d+)\\b");
  private static final String PAYLOAD = " payload: ";
  private static final String KEY = " key: ";

  private DumpLogParser() {}

  /** One record line. {@code key} and {@code payload} are null when the line has none. */
  public record DumpedRecord(long offset, String key, String payload) {}

  /**
   * One batch header with its records. {@code valid} is the dump's {@code isvalid}; an invalid
   * batch's other fields come from a header that failed its CRC and may be garbage. {@code
   * corruptRecords} is the dump's reason when the batch's records could not all be read, else null.
   */
  public record DumpedBatch(
      long baseOffset,
      long lastOffset,
      int count,
      long position,
      boolean valid,
      String corruptRecords,
      List<DumpedRecord> records) {
    public DumpedBatch(
        long baseOffset,
        long lastOffset,
        int count,
        long position,
        boolean valid,
        List<DumpedRecord> records) {
      this(baseOffset, lastOffset, count, position, valid, null, records);
    }

    /** Whether the batch's records can be trusted: a valid CRC and every record readable. */
    public boolean readable() {
      return valid && corruptRecords == null;
    }
  }

  /**
   * One dumped file: its batches in file order and the size of an unreadable tail ({@code 0} when
   * none was reported).
   */
  public record DumpedFile(
      String path, long logStartOffset, List<DumpedBatch> batches, long invalidTailBytes) {}

  /** Parses a whole dump output. */
  public static List<DumpedFile> parse(String output) {
    try (BufferedReader r = new BufferedReader(new StringReader(output))) {
      return parse(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a dump output line by line (for outputs too large to hold twice). */
  public static List<DumpedFile> parse(BufferedReader reader) throws IOException {
    List<DumpedFile> files = new ArrayList<>();
    FileBuilder file = null;
    BatchBuilder batch = null;
    String line;
    int lineNo = 0;
    while ((line = reader.readLine()) != null) {
      lineNo++;
      if (line.startsWith(DUMPING)) {
        if (file != null) {
          files.add(file.build(batch));
        }
        file = new FileBuilder(line.substring(DUMPING.length()).trim());
        batch = null;
      } else if (line.startsWith(LOG_START)) {
        requireFile(file, lineNo, line).logStartOffset =
            parseLong(line.substring(LOG_START.length()).trim(), lineNo, line);
      } else if (line.startsWith(BATCH)) {
        FileBuilder f = requireFile(file, lineNo, line);
        if (batch != null) {
          f.batches.add(batch.build());
        }
        batch = parseBatchHeader(line, lineNo);
      } else if (line.startsWith(CORRUPT_RECORDS)) {
        if (batch == null) {
          throw malformed("corrupt-records line before any batch header", lineNo, line);
        }
        batch.corruptRecords = line.substring(CORRUPT_RECORDS.length()).trim();
      } else if (line.startsWith(RECORD)) {
        if (batch == null) {
          throw malformed("record line before any batch header", lineNo, line);
        }
        batch.records.add(parseRecord(line, lineNo));
      } else {
        Matcher m = INVALID_BYTES.matcher(line);
        if (m.matches()) {
          FileBuilder f = requireFile(file, lineNo, line);
          f.invalidTailBytes += parseLong(m.group(1), lineNo, line);
        }
      }
    }
    if (file != null) {
      files.add(file.build(batch));
    }
    return files;
  }

  private static BatchBuilder parseBatchHeader(String line, int lineNo) {
    Map<String, String> fields = new HashMap<>();
    Matcher m = FIELD.matcher(line);
    while (m.find()) {
      fields.putIfAbsent(m.group(1), m.group(2));
    }
    for (String required : List.of("baseOffset", "lastOffset", "isvalid")) {
      if (!fields.containsKey(required)) {
        throw malformed("batch header without " + required, lineNo, line);
      }
    }
    BatchBuilder b = new BatchBuilder();
    b.baseOffset = parseLong(fields.get("baseOffset"), lineNo, line);
    b.lastOffset = parseLong(fields.get("lastOffset"), lineNo, line);
    b.count = fields.containsKey("count") ? (int) parseLong(fields.get("count"), lineNo, line) : -1;
    b.position =
        fields.containsKey("position") ? parseLong(fields.get("position"), lineNo, line) : -1;
    String valid = fields.get("isvalid");
    if (!valid.equals("true") && !valid.equals("false")) {
      throw malformed("isvalid is neither true nor false", lineNo, line);
    }
    b.valid = valid.equals("true");
    return b;
  }

  private static DumpedRecord parseRecord(String line, int lineNo) {
    Matcher m = RECORD_OFFSET.matcher(line);
    if (!m.find()) {
      throw malformed("record line without an offset", lineNo, line);
    }
    long offset = parseLong(m.group(1), lineNo, line);
    int payloadAt = line.indexOf(PAYLOAD);
    String payload = payloadAt < 0 ? null : line.substring(payloadAt + PAYLOAD.length());
    String headerPart = payloadAt < 0 ? line : line.substring(0, payloadAt);
    int keyAt = headerPart.indexOf(KEY);
    String key = keyAt < 0 ? null : headerPart.substring(keyAt + KEY.length());
    return new DumpedRecord(offset, key, payload);
  }

  private static FileBuilder requireFile(FileBuilder f, int lineNo, String line) {
    if (f == null) {
      throw malformed("line before any 'Dumping <file>' line", lineNo, line);
    }
    return f;
  }

  private static long parseLong(String s, int lineNo, String line) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw malformed("\"" + s + "\" is not a number", lineNo, line);
    }
  }

  private static IllegalArgumentException malformed(String what, int lineNo, String line) {
    String shown = line.length() > 300 ? line.substring(0, 300) + "..." : line;
    return new IllegalArgumentException(
        "dump-log output line " + lineNo + ": " + what + ": " + shown);
  }

  private static final class FileBuilder {
    final String path;
    long logStartOffset = -1;
    final List<DumpedBatch> batches = new ArrayList<>();
    long invalidTailBytes;

    FileBuilder(String path) {
      this.path = path;
    }

    DumpedFile build(BatchBuilder last) {
      if (last != null) {
        batches.add(last.build());
      }
      return new DumpedFile(path, logStartOffset, List.copyOf(batches), invalidTailBytes);
    }
  }

  private static final class BatchBuilder {
    long baseOffset;
    long lastOffset;
    int count;
    long position;
    boolean valid;
    String corruptRecords;
    final List<DumpedRecord> records = new ArrayList<>();

    DumpedBatch build() {
      return new DumpedBatch(
          baseOffset, lastOffset, count, position, valid, corruptRecords, List.copyOf(records));
    }
  }
}
