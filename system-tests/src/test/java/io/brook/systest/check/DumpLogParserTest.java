package io.brook.systest.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.TopicPartition;
import io.brook.systest.check.DumpLogParser.DumpedBatch;
import io.brook.systest.check.DumpLogParser.DumpedFile;
import io.brook.systest.check.DumpLogParser.DumpedRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class DumpLogParserTest {
  private static final String V0 = ValueCodec.encode("acks-all", 0, "w1", 0);
  private static final String V1 = ValueCodec.encode("acks-all", 0, "w1", 3);
  private static final String V2 = ValueCodec.encode("acks-all", 0, "w1", 6);
  private static final String V3 = ValueCodec.encode("acks-all", 0, "w1", 9);

  private static String header(long base, long last, long position, boolean valid) {
    return "baseOffset: "
        + base
        + " lastOffset: "
        + last
        + " count: "
        + (last - base + 1)
        + " baseSequence: "
        + base
        + " lastSequence: "
        + last
        + " producerId: 1000 producerEpoch: 0 partitionLeaderEpoch: 1 isTransactional: false"
        + " isControl: false position: "
        + position
        + " CreateTime: 1763771234000 size: 187 magic: 2 compresscodec: none crc: 2771183391"
        + " isvalid: "
        + valid;
  }

  private static String record(long offset, String payload) {
    return "| offset: "
        + offset
        + " CreateTime: 1763771234000 keySize: -1 valueSize: "
        + payload.length()
        + " sequence: "
        + offset
        + " headerKeys: [] payload: "
        + payload;
  }

  @Test
  void parsesFilesBatchesAndRecordsInOrder() {
    String out =
        String.join(
            "\n",
            "Dumping /data/data-1/acks-all-0/00000000000000000000.log",
            "Log starting offset: 0",
            header(0, 1, 0, true),
            record(0, V0),
            record(1, V1),
            header(2, 2, 187, true),
            record(2, V2),
            "Dumping /data/data-1/acks-all-0/00000000000000000003.log",
            "Log starting offset: 3",
            header(3, 3, 0, true),
            record(3, V3),
            "");
    List<DumpedFile> files = DumpLogParser.parse(out);
    assertEquals(2, files.size());
    DumpedFile first = files.get(0);
    assertEquals("/data/data-1/acks-all-0/00000000000000000000.log", first.path());
    assertEquals(0, first.logStartOffset());
    assertEquals(0, first.invalidTailBytes());
    assertEquals(2, first.batches().size());
    DumpedBatch b = first.batches().get(0);
    assertEquals(0, b.baseOffset());
    assertEquals(1, b.lastOffset());
    assertEquals(2, b.count());
    assertEquals(0, b.position());
    assertTrue(b.valid());
    assertEquals(
        List.of(new DumpedRecord(0, null, V0), new DumpedRecord(1, null, V1)), b.records());
    assertEquals(187, first.batches().get(1).position());
    assertEquals(3, files.get(1).logStartOffset());
    assertEquals(V3, files.get(1).batches().get(0).records().get(0).payload());
  }

  @Test
  void invalidBatchHasNoRecordsAndTheNextBatchIsStillRead() {
    String out =
        String.join(
            "\n",
            "Dumping /d/t-0/00000000000000000000.log",
            "Log starting offset: 0",
            header(0, 0, 0, true),
            record(0, V0),
            header(1, 1, 100, false),
            header(2, 2, 200, true),
            record(2, V2));
    DumpedFile f = DumpLogParser.parse(out).get(0);
    assertEquals(3, f.batches().size());
    assertFalse(f.batches().get(1).valid());
    assertTrue(f.batches().get(1).records().isEmpty());
    assertEquals(100, f.batches().get(1).position());

    ReplicaLog replica = ReplicaLog.of(2, new TopicPartition("t", 0), List.of(f));
    assertEquals(List.of(0L, 2L), List.copyOf(replica.records().keySet()));
    assertEquals(1, replica.invalidBatches().size());
    assertEquals(1, replica.invalidBatches().get(0).baseOffset());
  }

  @Test
  void batchWithCorruptRecordsIsNotReadable() {
    String out =
        String.join(
            "\n",
            "Dumping /d/t-0/00000000000000000000.log",
            header(0, 1, 0, true),
            record(0, V0),
            "| corrupt records: Record is corrupt (stored size 90 beyond the batch)",
            header(2, 2, 150, true),
            record(2, V2));
    DumpedFile f = DumpLogParser.parse(out).get(0);
    DumpedBatch b = f.batches().get(0);
    assertTrue(b.valid());
    assertFalse(b.readable());
    assertTrue(b.corruptRecords().startsWith("Record is corrupt"), b.corruptRecords());
    ReplicaLog replica = ReplicaLog.of(1, new TopicPartition("t", 0), List.of(f));
    assertEquals(List.of(2L), List.copyOf(replica.records().keySet()));
    assertEquals(List.of(b), replica.invalidBatches());
  }

  @Test
  void invalidTailBytesAreCountedPerFile() {
    String out =
        String.join(
            "\n",
            "Dumping /d/t-0/00000000000000000000.log",
            "Log starting offset: 0",
            header(0, 0, 0, true),
            record(0, V0),
            "Found 57 invalid bytes at the end of 00000000000000000000.log",
            "Dumping /d/t-0/00000000000000000001.log",
            "Log starting offset: 1",
            header(1, 1, 0, true),
            record(1, V1));
    List<DumpedFile> files = DumpLogParser.parse(out);
    assertEquals(57, files.get(0).invalidTailBytes());
    assertEquals(0, files.get(1).invalidTailBytes());
    ReplicaLog replica = ReplicaLog.of(1, new TopicPartition("t", 0), files);
    assertEquals(57, replica.invalidTailBytes());
    assertEquals(2, replica.logEndOffset());
  }

  @Test
  void payloadRunsToTheEndOfTheLineAndKeyPrecedesIt() {
    String out =
        String.join(
            "\n",
            "Dumping /d/t-0/00000000000000000000.log",
            header(0, 1, 0, true),
            "| offset: 0 CreateTime: 1 keySize: 3 valueSize: 11 sequence: -1 headerKeys: [a, b]"
                + " key: k 1 payload: hello world",
            "| offset: 1 CreateTime: 1 keySize: -1 valueSize: 0 sequence: -1 headerKeys: []"
                + " payload: ",
            "| offset: 2 CreateTime: 1 keySize: -1 valueSize: 0 sequence: -1 headerKeys: []");
    List<DumpedRecord> records = DumpLogParser.parse(out).get(0).batches().get(0).records();
    assertEquals(new DumpedRecord(0, "k 1", "hello world"), records.get(0));
    assertEquals("", records.get(1).payload());
    assertNull(records.get(2).payload());
  }

  @Test
  void emptyOutputAndEmptyFileParse() {
    assertTrue(DumpLogParser.parse("").isEmpty());
    List<DumpedFile> files =
        DumpLogParser.parse("Dumping /d/t-0/00000000000000000000.log\nLog starting offset: 0\n");
    assertEquals(1, files.size());
    assertTrue(files.get(0).batches().isEmpty());
  }

  @Test
  void otherLinesAreIgnored() {
    String out =
        String.join(
            "\n",
            "WARNING: something the tool wanted to say",
            "Dumping /d/t-0/00000000000000000000.log",
            "",
            "Log starting offset: 0",
            header(0, 0, 0, true),
            record(0, V0),
            "Dumping /d/t-0/00000000000000000000.index",
            "offset: 0 position: 0");
    List<DumpedFile> files = DumpLogParser.parse(out);
    assertEquals(2, files.size());
    assertEquals(1, files.get(0).batches().size());
    assertTrue(files.get(1).batches().isEmpty());
  }

  @Test
  void malformedKnownLinesAreRefusedWithTheLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DumpLogParser.parse(
                    "Dumping /x.log\nbaseOffset: zero lastOffset: 0 isvalid: true"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DumpLogParser.parse("Dumping /x.log\n" + record(0, V0)));
    assertThrows(IllegalArgumentException.class, () -> DumpLogParser.parse(header(0, 0, 0, true)));
    assertThrows(
        IllegalArgumentException.class,
        () -> DumpLogParser.parse("Dumping /x.log\nbaseOffset: 0 lastOffset: 0 isvalid: maybe"));
  }

  @Test
  void laterValidBatchClaimingTheSameOffsetWinsAndIsCounted() {
    String out =
        String.join(
            "\n",
            "Dumping /d/t-0/00000000000000000000.log",
            header(0, 0, 0, true),
            record(0, V0),
            header(0, 0, 100, true),
            record(0, V1));
    ReplicaLog replica = ReplicaLog.of(1, new TopicPartition("t", 0), DumpLogParser.parse(out));
    assertEquals(V1, replica.records().get(0L));
    assertEquals(1, replica.overlappingOffsets());
  }
}
