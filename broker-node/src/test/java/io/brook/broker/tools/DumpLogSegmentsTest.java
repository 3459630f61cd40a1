package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dump of segment files that the broker's own {@link Log} wrote, including a flipped bit and a
 * torn tail. The expected lines are Kafka's kafka-dump-log.sh format, which the system tests'
 * checker parses.
 */
class DumpLogSegmentsTest {
  static final long T0 = 1_763_771_234_000L;

  @TempDir Path tmp;
  final MockTime time = new MockTime(T0);
  ThreadPoolScheduler scheduler;
  Log log;
  Path dir;

  @BeforeEach
  void openLog() throws IOException {
    scheduler = new ThreadPoolScheduler("dump-test", 1);
    dir = tmp.resolve("orders-0");
    log =
        Log.open(
            dir,
            UUID.randomUUID(),
            LogConfig.builder().indexIntervalBytes(1).build(),
            0,
            0,
            false,
            scheduler,
            time);
  }

  @AfterEach
  void close() throws Exception {
    if (log != null) {
      log.close();
    }
    scheduler.close();
  }

  /** Three batches: an idempotent one of 3 records, one with keys and headers, one plain. */
  private void appendThreeBatches() {
    RecordBatchBuilder b1 =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 256)
            .setProducerId(1000)
            .setProducerEpoch((short) 0)
            .setBaseSequence(0);
    for (int i = 0; i < 3; i++) {
      b1.append(T0 + i, null, ("value-" + i).getBytes(StandardCharsets.UTF_8), new Header[0]);
    }
    log.appendAsLeader(b1.build(), 1);
    RecordBatchBuilder b2 =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 256);
    b2.append(
        T0 + 10,
        "k1".getBytes(StandardCharsets.UTF_8),
        "with key".getBytes(StandardCharsets.UTF_8),
        new Header[] {Header.of("h1", "a"), Header.of("h2", "b")});
    b2.append(T0 + 11, "k2".getBytes(StandardCharsets.UTF_8), null, new Header[0]);
    log.appendAsLeader(b2.build(), 1);
    RecordBatchBuilder b3 =
        new RecordBatchBuilder(CompressionType.GZIP, TimestampType.CREATE_TIME, 0, 256);
    b3.append(T0 + 20, null, "compressed é".getBytes(StandardCharsets.UTF_8), new Header[0]);
    log.appendAsLeader(b3.build(), 2);
    log.flush();
  }

  private Path segment() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".log")).sorted().findFirst().orElseThrow();
    }
  }

  record Result(int code, List<String> out, String err) {}

  static Result dump(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        DumpLogSegments.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    List<String> lines = new ArrayList<>(out.toString(StandardCharsets.UTF_8).lines().toList());
    return new Result(code, lines, err.toString(StandardCharsets.UTF_8));
  }

  /** Batch sizes as the log stored them, read back from the file's length fields. */
  private List<Integer> batchSizes(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
    List<Integer> sizes = new ArrayList<>();
    for (int p = 0; p < bytes.limit(); ) {
      int size = bytes.getInt(p + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
      sizes.add(size);
      p += size;
    }
    return sizes;
  }

  private long crcAt(Path file, int position) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
    return Integer.toUnsignedLong(bytes.getInt(position + RecordBatch.CRC_OFFSET));
  }

  @Test
  void printsBatchesAndRecordsInKafkasFormat() throws Exception {
    appendThreeBatches();
    Path seg = segment();
    List<Integer> sizes = batchSizes(seg);
    int p1 = sizes.get(0);
    int p2 = p1 + sizes.get(1);

    Result r = dump("--files", seg.toString(), "--print-data-log");

    assertEquals(0, r.code(), r.err());
    assertEquals(
        List.of(
            "Dumping " + seg.toAbsolutePath(),
            "Log starting offset: 0",
            "baseOffset: 0 lastOffset: 2 count: 3 baseSequence: 0 lastSequence: 2 producerId: 1000"
                + " producerEpoch: 0 partitionLeaderEpoch: 1 isTransactional: false isControl: false"
                + " position: 0 CreateTime: "
                + (T0 + 2)
                + " size: "
                + sizes.get(0)
                + " magic: 2 compresscodec: none crc: "
                + crcAt(seg, 0)
                + " isvalid: true",
            "| offset: 0 CreateTime: "
                + T0
                + " keySize: -1 valueSize: 7 sequence: 0 headerKeys: [] payload: value-0",
            "| offset: 1 CreateTime: "
                + (T0 + 1)
                + " keySize: -1 valueSize: 7 sequence: 1 headerKeys: [] payload: value-1",
            "| offset: 2 CreateTime: "
                + (T0 + 2)
                + " keySize: -1 valueSize: 7 sequence: 2 headerKeys: [] payload: value-2",
            "baseOffset: 3 lastOffset: 4 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1"
                + " producerEpoch: -1 partitionLeaderEpoch: 1 isTransactional: false isControl:"
                + " false position: "
                + p1
                + " CreateTime: "
                + (T0 + 11)
                + " size: "
                + sizes.get(1)
                + " magic: 2 compresscodec: none crc: "
                + crcAt(seg, p1)
                + " isvalid: true",
            "| offset: 3 CreateTime: "
                + (T0 + 10)
                + " keySize: 2 valueSize: 8 sequence: -1 headerKeys: [h1,h2] key: k1 payload: with"
                + " key",
            "| offset: 4 CreateTime: "
                + (T0 + 11)
                + " keySize: 2 valueSize: -1 sequence: -1 headerKeys: [] key: k2",
            "baseOffset: 5 lastOffset: 5 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1"
                + " producerEpoch: -1 partitionLeaderEpoch: 2 isTransactional: false isControl:"
                + " false position: "
                + p2
                + " CreateTime: "
                + (T0 + 20)
                + " size: "
                + sizes.get(2)
                + " magic: 2 compresscodec: gzip crc: "
                + crcAt(seg, p2)
                + " isvalid: true",
            "| offset: 5 CreateTime: "
                + (T0 + 20)
                + " keySize: -1 valueSize: 13 sequence: -1 headerKeys: [] payload: compressed é"),
        r.out());
  }

  @Test
  void printsOnlyBatchesUnlessAskedForRecordsAndPayloadsOnlyWithPrintDataLog() throws Exception {
    appendThreeBatches();
    Path seg = segment();

    Result shallow = dump("--files", seg.toString());
    assertEquals(0, shallow.code(), shallow.err());
    assertEquals(5, shallow.out().size(), String.join("\n", shallow.out()));
    assertTrue(shallow.out().stream().noneMatch(l -> l.startsWith("|")));

    Result deep = dump("--files", seg.toString(), "--deep-iteration");
    assertEquals(11, deep.out().size(), String.join("\n", deep.out()));
    assertTrue(deep.out().stream().noneMatch(l -> l.contains("payload:") || l.contains("key:")));
  }

  @Test
  void aFlippedBitMarksItsBatchInvalidWithoutRecordsAndTheDumpGoesOn() throws Exception {
    appendThreeBatches();
    log.close();
    log = null;
    Path seg = segment();
    int p1 = batchSizes(seg).get(0);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      int at = p1 + RecordBatch.RECORDS_OFFSET + 3; // inside the second batch's records
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }

    Result r = dump("--files", seg.toString(), "--print-data-log");

    assertEquals(0, r.code(), r.err());
    List<String> batches = r.out().stream().filter(l -> l.startsWith("baseOffset:")).toList();
    assertEquals(3, batches.size(), String.join("\n", r.out()));
    assertTrue(batches.get(0).endsWith("isvalid: true"));
    assertTrue(batches.get(1).endsWith("isvalid: false"), batches.get(1));
    assertTrue(batches.get(2).endsWith("isvalid: true"));
    List<String> offsets =
        r.out().stream().filter(l -> l.startsWith("| offset: ")).map(l -> l.split(" ")[2]).toList();
    assertEquals(List.of("0", "1", "2", "5"), offsets, "no records of the invalid batch");
    assertTrue(r.out().stream().noneMatch(l -> l.startsWith("Found ")));
  }

  @Test
  void aTornTailIsReportedAsInvalidBytesAfterTheWholeBatches() throws Exception {
    appendThreeBatches();
    log.close();
    log = null;
    Path seg = segment();
    List<Integer> sizes = batchSizes(seg);
    int cut = sizes.get(0) + sizes.get(1) + 20; // 20 bytes into the third batch
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(cut);
    }

    Result r = dump("--files", seg.toString(), "--deep-iteration");

    assertEquals(0, r.code(), r.err());
    assertEquals(2, r.out().stream().filter(l -> l.startsWith("baseOffset:")).count());
    assertEquals(
        "Found 20 invalid bytes at the end of " + seg.getFileName(),
        r.out().get(r.out().size() - 1));
  }

  @Test
  void garbageWhereABatchShouldStartEndsTheWalk() throws Exception {
    appendThreeBatches();
    log.close();
    log = null;
    Path seg = segment();
    long size = Files.size(seg);
    Files.write(seg, new byte[30], java.nio.file.StandardOpenOption.APPEND); // zeros: length 0

    Result r = dump("--files", seg.toString());

    assertEquals(0, r.code(), r.err());
    assertEquals(3, r.out().stream().filter(l -> l.startsWith("baseOffset:")).count());
    assertEquals(
        "Found 30 invalid bytes at the end of " + seg.getFileName(),
        r.out().get(r.out().size() - 1));
    assertEquals(size + 30, Files.size(seg), "the dump only reads");
  }

  @Test
  void dumpsIndexesAndTheLeaderEpochCheckpointAndFilesInTheOrderGiven() throws Exception {
    appendThreeBatches();
    log.close(); // trims the indexes and writes the checkpoint
    log = null;
    Path seg = segment();
    List<Integer> sizes = batchSizes(seg);
    String base = seg.toString().substring(0, seg.toString().length() - ".log".length());

    Result r =
        dump(
            "--files",
            base + ".index," + base + ".timeindex," + dir.resolve("leader-epoch-checkpoint"));

    assertEquals(0, r.code(), r.err());
    List<String> out = r.out();
    assertEquals("Dumping " + Path.of(base + ".index").toAbsolutePath(), out.get(0));
    // index.interval.bytes=1: an entry per batch after the first (Kafka's rule), keyed by the last
    // offset of the batch.
    assertTrue(out.contains("offset: 4 position: " + sizes.get(0)), String.join("\n", out));
    assertTrue(
        out.contains("offset: 5 position: " + (sizes.get(0) + sizes.get(1))),
        String.join("\n", out));
    int ti = out.indexOf("Dumping " + Path.of(base + ".timeindex").toAbsolutePath());
    assertTrue(ti > 0, String.join("\n", out));
    assertTrue(out.contains("timestamp: " + (T0 + 20) + " offset: 5"), String.join("\n", out));
    int ec = out.indexOf("Dumping " + dir.resolve("leader-epoch-checkpoint").toAbsolutePath());
    assertTrue(ec > ti, String.join("\n", out));
    assertEquals(
        List.of("epoch: 1 startOffset: 0", "epoch: 2 startOffset: 5"),
        out.subList(ec + 1, out.size()));
  }

  @Test
  void badArgumentsAndMissingFilesExitOne() throws Exception {
    appendThreeBatches();
    Path seg = segment();

    Result noFiles = dump("--print-data-log");
    assertEquals(1, noFiles.code());
    assertTrue(noFiles.err().contains("--files"), noFiles.err());

    Result unknownFlag = dump("--files", seg.toString(), "--frobnicate");
    assertEquals(1, unknownFlag.code());
    assertTrue(unknownFlag.err().contains("--frobnicate"), unknownFlag.err());

    Result badMax = dump("--files", seg.toString(), "--max-bytes", "-3");
    assertEquals(1, badMax.code());
    assertTrue(badMax.err().contains("--max-bytes"), badMax.err());

    Path missing = dir.resolve("00000000000000000099.log");
    Result r = dump("--files", missing + "," + seg);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("no such file: " + missing), r.err());
    assertEquals("Dumping " + seg.toAbsolutePath(), r.out().get(0), "the others are dumped");

    Result help = dump("--help");
    assertEquals(0, help.code());
    assertTrue(String.join("\n", help.out()).contains("--print-data-log"));
  }

  @Test
  void maxBytesStopsAtTheLimitWithoutCallingTheRestInvalid() throws Exception {
    appendThreeBatches();
    Path seg = segment();
    int first = batchSizes(seg).get(0);

    Result r = dump("--files", seg.toString(), "--max-bytes", String.valueOf(first + 5));

    assertEquals(0, r.code(), r.err());
    assertEquals(1, r.out().stream().filter(l -> l.startsWith("baseOffset:")).count());
    assertTrue(r.out().stream().noneMatch(l -> l.startsWith("Found ")), String.join("\n", r.out()));
  }

  @Test
  void sequencesWrapPastIntMaxToZero() {
    assertEquals(-1, DumpLogSegments.sequenceAt(-1, 4));
    assertEquals(7, DumpLogSegments.sequenceAt(3, 4));
    assertEquals(Integer.MAX_VALUE, DumpLogSegments.sequenceAt(Integer.MAX_VALUE - 1, 1));
    assertEquals(0, DumpLogSegments.sequenceAt(Integer.MAX_VALUE, 1));
    assertEquals(2, DumpLogSegments.sequenceAt(Integer.MAX_VALUE - 1, 4));
  }
}
