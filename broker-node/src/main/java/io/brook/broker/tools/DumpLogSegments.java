package io.brook.broker.tools;

import io.brook.broker.group.GroupRecordCodec;
import io.brook.broker.log.internals.LeaderEpochCheckpointFile;
import io.brook.broker.log.internals.LeaderEpochCheckpointFile.EpochEntry;
import io.brook.broker.log.internals.LogFileNames;
import io.brook.broker.log.internals.OffsetIndex;
import io.brook.broker.log.internals.TimeIndex;
import io.brook.common.Header;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.CorruptRecordException;
import io.brook.protocol.record.Record;
import io.brook.protocol.record.RecordBatch;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brook-dump-log.sh}: prints what a partition's files hold, in the format of Kafka's {@code
 * kafka-dump-log.sh}, for operators and for the system tests' checker (which parses it).
 *
 * <p>Per file, in the order given, a line {@code Dumping <absolute path>} and then:
 *
 * <ul>
 *   <li>{@code .log}: {@code Log starting offset: N} (from the file name), then one line per batch
 *       ({@code baseOffset: .. lastOffset: .. count: .. ... position: P CreateTime: T size: S
 *       magic: 2 compresscodec: none crc: C isvalid: true}); with {@code --deep-iteration} or
 *       {@code --print-data-log} one {@code | offset: ..} line per record after its batch, ending
 *       with {@code key: K} (when the record has a key) and {@code payload: V} (when it has a
 *       value; last, to the end of the line) under {@code --print-data-log}; under {@code
 *       --offsets-decoder} (Kafka's flag, which implies {@code --print-data-log}) the record of
 *       {@code __consumer_offsets} decoded instead: {@code key: {...} payload: {...}} ({@code
 *       payload: <DELETE>} for a tombstone). A batch whose CRC or header does not check out is
 *       printed with {@code isvalid: false} and no record lines, and the walk goes on after it. The
 *       walk stops where a length field cannot be a batch (smaller than a batch header) or runs
 *       past the end of the file (a torn tail); the bytes from there on are reported as {@code
 *       Found <n> invalid bytes at the end of <file name>}.
 *   <li>{@code .index}: {@code offset: N position: P} per entry; {@code .timeindex}: {@code
 *       timestamp: T offset: N} per entry. Like Kafka, stops at the first entry after the first
 *       that points at the segment's base offset: the zeros of a preallocated index.
 *   <li>{@code leader-epoch-checkpoint}: {@code epoch: E startOffset: O} per entry.
 *   <li>anything else: a line {@code Ignoring unknown file <file>} on standard error.
 * </ul>
 *
 * <p>Exit code 0, or 1 when an argument is bad or a file is missing or unreadable (the other files
 * are still dumped). Files are only read: safe on the files of a running broker, which may append
 * meanwhile (a batch being written then shows as a torn tail).
 *
 * <p>Not thread-safe: one instance per run.
 */
@Command(
    name = "brook-dump-log.sh",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Prints the batches and records of segment files (.log), the entries of offset and time"
            + " indexes (.index, .timeindex) and leader-epoch-checkpoint files, as Kafka's"
            + " kafka-dump-log.sh.")
public final class DumpLogSegments implements Callable<Integer> {

  @Option(
      names = "--files",
      required = true,
      split = ",",
      paramLabel = "FILE",
      description = "The files to dump, comma-separated, dumped in this order.")
  List<Path> files;

  @Option(
      names = "--print-data-log",
      description = "Print each record's key and payload (as UTF-8); implies --deep-iteration.")
  boolean printDataLog;

  @Option(names = "--deep-iteration", description = "Print each record, not only each batch.")
  boolean deepIteration;

  @Option(
      names = "--offsets-decoder",
      description =
          "Decode each record's key and payload as records of __consumer_offsets (offset commits"
              + " and group metadata); implies --print-data-log.")
  boolean offsetsDecoder;

  @Option(
      names = "--max-bytes",
      paramLabel = "N",
      defaultValue = "2147483647",
      description = "Read at most N bytes of each .log file (default: all).")
  int maxBytes;

  private final PrintStream out;
  private final PrintStream err;

  DumpLogSegments(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    int code = run(out, System.err, args);
    out.flush();
    System.exit(code);
  }

  /** Runs the tool and returns its exit code: 0, or 1 for a bad argument or a missing file. */
  static int run(PrintStream out, PrintStream err, String... args) {
    CommandLine cl = new CommandLine(new DumpLogSegments(out, err));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (e, a) -> {
          err.println("error: " + e.getMessage() + " (--help for all flags)");
          return 1;
        });
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    if (maxBytes <= 0) {
      err.println("error: --max-bytes must be positive, not " + maxBytes);
      return 1;
    }
    int code = 0;
    for (Path file : files) {
      Path name = file.getFileName();
      if (name == null) {
        err.println("error: " + file + " names no file");
        code = 1;
        continue;
      }
      String n = name.toString();
      if (!Files.isRegularFile(file)) {
        err.println("error: no such file: " + file);
        code = 1;
        continue;
      }
      try {
        if (n.endsWith(LogFileNames.LOG_SUFFIX)) {
          dumpLog(file);
        } else if (n.endsWith(LogFileNames.INDEX_SUFFIX)) {
          dumpOffsetIndex(file);
        } else if (n.endsWith(LogFileNames.TIME_INDEX_SUFFIX)) {
          dumpTimeIndex(file);
        } else if (n.equals(LeaderEpochCheckpointFile.FILE_NAME)) {
          dumpLeaderEpochCheckpoint(file);
        } else {
          err.println("Ignoring unknown file " + file);
        }
      } catch (IOException e) {
        out.flush();
        err.println("error: could not read " + file + ": " + e);
        code = 1;
      }
    }
    out.flush();
    return code;
  }

  // ---------------------------------------------------------------- .log

  private void dumpLog(Path file) throws IOException {
    out.println("Dumping " + file.toAbsolutePath());
    long startOffset = LogFileNames.offsetFromFileName(file.getFileName().toString());
    if (startOffset >= 0) {
      out.println("Log starting offset: " + startOffset);
    }
    ByteBuffer bytes = readAtMost(file, maxBytes);
    boolean cutByMaxBytes = Files.size(file) > bytes.limit();
    boolean deep = deepIteration || printDataLog || offsetsDecoder;
    int position = 0;
    while (position < bytes.limit()) {
      long size = batchSizeAt(bytes, position);
      if (size < RecordBatch.RECORD_BATCH_OVERHEAD || size > bytes.limit() - position) {
        break; // not a batch, or a batch cut off: the rest is the tail
      }
      ByteBuffer slice = bytes.duplicate().position(position).limit(position + (int) size);
      printBatch(RecordBatch.wrap(slice), position, deep);
      position += (int) size;
    }
    int trailing = bytes.limit() - position;
    if (trailing > 0 && !cutByMaxBytes) {
      out.println("Found " + trailing + " invalid bytes at the end of " + file.getFileName());
    }
  }

  /** The size of the batch at {@code position} by its length field, or -1 if that is cut off. */
  private static long batchSizeAt(ByteBuffer bytes, int position) {
    if (bytes.limit() - position < RecordBatch.LOG_OVERHEAD) {
      return -1;
    }
    return (long) bytes.getInt(position + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
  }

  private void printBatch(RecordBatch batch, int position, boolean deep) {
    Optional<String> invalid = invalidReason(batch);
    int codec = batch.attributes() & 0x07;
    String codecName =
        codec <= CompressionType.ZSTD.id
            ? CompressionType.forId(codec).configName
            : "unknown(" + codec + ")";
    StringBuilder line = new StringBuilder(320);
    line.append("baseOffset: ")
        .append(batch.baseOffset())
        .append(" lastOffset: ")
        .append(batch.lastOffset())
        .append(" count: ")
        .append(batch.recordCount())
        .append(" baseSequence: ")
        .append(batch.baseSequence())
        .append(" lastSequence: ")
        .append(sequenceAt(batch.baseSequence(), batch.lastOffsetDelta()))
        .append(" producerId: ")
        .append(batch.producerId())
        .append(" producerEpoch: ")
        .append(batch.producerEpoch())
        .append(" partitionLeaderEpoch: ")
        .append(batch.partitionLeaderEpoch())
        .append(" isTransactional: ")
        .append(batch.isTransactional())
        .append(" isControl: ")
        .append(batch.isControlBatch())
        .append(" position: ")
        .append(position)
        .append(' ')
        .append(batch.timestampType().configName)
        .append(": ")
        .append(batch.maxTimestamp())
        .append(" size: ")
        .append(batch.sizeInBytes())
        .append(" magic: ")
        .append(batch.magic())
        .append(" compresscodec: ")
        .append(codecName)
        .append(" crc: ")
        .append(batch.checksum())
        .append(" isvalid: ")
        .append(invalid.isEmpty());
    out.println(line);
    if (deep && invalid.isEmpty()) {
      printRecords(batch);
    }
  }

  /** Why the batch cannot be trusted (magic, codec, counts, CRC), or empty when it can. */
  private static Optional<String> invalidReason(RecordBatch batch) {
    try {
      batch.ensureValid();
      return Optional.empty();
    } catch (CorruptRecordException e) {
      return Optional.of(e.getMessage());
    }
  }

  private void printRecords(RecordBatch batch) {
    String timestampType = batch.timestampType().configName;
    try {
      Iterator<Record> it = batch.iterator();
      while (it.hasNext()) {
        Record r = it.next();
        StringBuilder line = new StringBuilder(200);
        line.append("| offset: ")
            .append(r.offset())
            .append(' ')
            .append(timestampType)
            .append(": ")
            .append(r.timestamp())
            .append(" keySize: ")
            .append(r.keySize())
            .append(" valueSize: ")
            .append(r.valueSize())
            .append(" sequence: ")
            .append(sequenceAt(batch.baseSequence(), (int) (r.offset() - batch.baseOffset())))
            .append(" headerKeys: [");
        Header[] headers = r.headers();
        for (int i = 0; i < headers.length; i++) {
          line.append(i == 0 ? "" : ",").append(headers[i].key());
        }
        line.append(']');
        if (offsetsDecoder) {
          line.append(' ').append(decodeOffsetsRecord(r));
        } else if (printDataLog) {
          if (r.hasKey()) {
            line.append(" key: ").append(utf8(r.key()));
          }
          if (r.hasValue()) {
            line.append(" payload: ").append(utf8(r.value()));
          }
        }
        out.println(line);
      }
    } catch (CorruptRecordException e) {
      // The CRC matched, so the producer wrote these bytes: say so rather than stop the dump.
      out.println("| corrupt records: " + e.getMessage());
    }
  }

  /**
   * The sequence of the record {@code delta} after the batch's first, wrapping past
   * Integer.MAX_VALUE to 0 as producers do; -1 for a batch without sequences.
   */
  static int sequenceAt(int baseSequence, int delta) {
    if (baseSequence == RecordBatch.NO_SEQUENCE) {
      return RecordBatch.NO_SEQUENCE;
    }
    if (baseSequence > Integer.MAX_VALUE - delta) {
      return delta - (Integer.MAX_VALUE - baseSequence) - 1;
    }
    return baseSequence + delta;
  }

  /**
   * A record of {@code __consumer_offsets} as {@link GroupRecordCodec#describe} prints it, or the
   * reason it cannot be decoded ({@code key: <undecodable: ...>}).
   */
  static String decodeOffsetsRecord(Record r) {
    try {
      return GroupRecordCodec.describe(GroupRecordCodec.decode(r.key(), r.value()));
    } catch (GroupRecordCodec.MalformedGroupRecordException e) {
      return "key: <undecodable: " + e.getMessage() + ">";
    }
  }

  private static String utf8(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return new String(a, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- indexes and checkpoints

  private void dumpOffsetIndex(Path file) throws IOException {
    out.println("Dumping " + file.toAbsolutePath());
    long base = LogFileNames.offsetFromFileName(file.getFileName().toString());
    ByteBuffer bytes = readAtMost(file, Integer.MAX_VALUE);
    int entries = bytes.limit() / OffsetIndex.ENTRY_SIZE;
    for (int i = 0; i < entries; i++) {
      int relativeOffset = bytes.getInt(i * OffsetIndex.ENTRY_SIZE);
      int position = bytes.getInt(i * OffsetIndex.ENTRY_SIZE + 4);
      if (i > 0 && relativeOffset == 0) {
        return; // the zeros of a preallocated index
      }
      out.println("offset: " + (Math.max(base, 0) + relativeOffset) + " position: " + position);
    }
  }

  private void dumpTimeIndex(Path file) throws IOException {
    out.println("Dumping " + file.toAbsolutePath());
    long base = LogFileNames.offsetFromFileName(file.getFileName().toString());
    ByteBuffer bytes = readAtMost(file, Integer.MAX_VALUE);
    int entries = bytes.limit() / TimeIndex.ENTRY_SIZE;
    for (int i = 0; i < entries; i++) {
      long timestamp = bytes.getLong(i * TimeIndex.ENTRY_SIZE);
      int relativeOffset = bytes.getInt(i * TimeIndex.ENTRY_SIZE + 8);
      if (i > 0 && relativeOffset == 0) {
        return; // the zeros of a preallocated index
      }
      out.println("timestamp: " + timestamp + " offset: " + (Math.max(base, 0) + relativeOffset));
    }
  }

  private void dumpLeaderEpochCheckpoint(Path file) throws IOException {
    out.println("Dumping " + file.toAbsolutePath());
    List<EpochEntry> entries = new LeaderEpochCheckpointFile(file).read().orElse(List.of());
    for (EpochEntry e : entries) {
      out.println("epoch: " + e.epoch() + " startOffset: " + e.startOffset());
    }
  }

  /** The first {@code limit} bytes of the file (all when shorter), read-only and big-endian. */
  private static ByteBuffer readAtMost(Path file, int limit) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = Math.min(ch.size(), limit);
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, length).order(ByteOrder.BIG_ENDIAN);
    }
  }
}
