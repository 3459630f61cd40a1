package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.group.GroupRecordCodec;
import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogConfig;
import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brook-dump-log.sh --offsets-decoder} over a segment of {@code __consumer_offsets}. */
class DumpLogSegmentsOffsetsDecoderTest {
  static final long T0 = 1_763_771_234_000L;

  @TempDir Path tmp;
  final MockTime time = new MockTime(T0);
  ThreadPoolScheduler scheduler;
  Log log;
  Path dir;

  @BeforeEach
  void openLog() throws Exception {
    scheduler = new ThreadPoolScheduler("dump-offsets-test", 1);
    dir = tmp.resolve("__consumer_offsets-4");
    log = Log.open(dir, UUID.randomUUID(), LogConfig.DEFAULT, 0, 0, false, scheduler, time);
  }

  @AfterEach
  void close() {
    log.close();
    scheduler.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  List<String> dump(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        DumpLogSegments.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            args);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  Path segment() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
  }

  @Test
  void printsDecodedKeysAndValuesOfGroupRecords() throws Exception {
    OffsetCommitValue offset =
        OffsetCommitValue.newBuilder()
            .setOffset(42)
            .setLeaderEpoch(2)
            .setMetadata("meta")
            .setCommitTimestamp(T0)
            .setExpireTimestamp(-1)
            .build();
    RecordBatchBuilder b =
        new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 256);
    for (GroupRecord r :
        List.of(
            new GroupRecord.OffsetCommit("g", new TopicPartition("orders", 3), offset),
            new GroupRecord.GroupMetadata(
                "g", GroupMetadataValue.newBuilder().setProtocolType("consumer").build()),
            new GroupRecord.OffsetCommit("g", new TopicPartition("orders", 3), null))) {
      b.append(T0, GroupRecordCodec.key(r), GroupRecordCodec.value(r), new Header[0]);
    }
    b.append(T0, utf8("not a group key"), utf8("x"), new Header[0]);
    log.appendAsLeader(b.build(), 1);
    log.flush();

    List<String> lines = dump("--files", segment().toString(), "--offsets-decoder");
    List<String> records = lines.stream().filter(l -> l.startsWith("| offset: ")).toList();
    assertEquals(4, records.size(), String.join("\n", lines));
    assertTrue(
        records
            .get(0)
            .endsWith(
                " key: {\"type\":\"offset_commit\",\"group\":\"g\",\"topic\":\"orders\","
                    + "\"partition\":3} payload: {\"offset\":42,\"leaderEpoch\":2,"
                    + "\"metadata\":\"meta\",\"commitTimestamp\":"
                    + T0
                    + ",\"expireTimestamp\":-1}"),
        records.get(0));
    assertTrue(
        records.get(1).contains(" key: {\"type\":\"group_metadata\",\"group\":\"g\"} payload: {"),
        records.get(1));
    assertTrue(records.get(2).endsWith(" payload: <DELETE>"), records.get(2));
    assertTrue(records.get(3).contains(" key: <undecodable: "), records.get(3));
    // Without the flag, the records are printed as bytes, not decoded.
    List<String> plain = dump("--files", segment().toString(), "--print-data-log");
    assertTrue(
        plain.stream().noneMatch(l -> l.contains("offset_commit")), String.join("\n", plain));
  }
}
