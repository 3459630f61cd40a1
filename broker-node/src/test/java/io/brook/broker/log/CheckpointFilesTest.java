package io.brook.broker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.internals.OffsetCheckpointFile;
import io.brook.broker.log.internals.PartitionMetadataFile;
import io.brook.common.TopicPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
  @TempDir Path dir;

  @Test
  void writesKafkasTextFormatAndReadsItBack() throws Exception {
    OffsetCheckpointFile f = new OffsetCheckpointFile(dir.resolve("replication-offset-checkpoint"));
    assertEquals(Map.of(), f.read(), "a missing file is empty");
    Map<TopicPartition, Long> offsets =
        Map.of(new TopicPartition("orders", 1), 42L, new TopicPartition("my-topic.x", 0), 7L);
    f.write(offsets);
    assertEquals("0\n2\nmy-topic.x 0 7\norders 1 42\n", Files.readString(f.file()));
    assertEquals(offsets, f.read());
    assertFalse(Files.exists(dir.resolve("replication-offset-checkpoint.tmp")));
  }

  @Test
  void aCrashedWriteLeavesTheOldContent() throws Exception {
    OffsetCheckpointFile f =
        new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint"));
    f.write(Map.of(new TopicPartition("a", 0), 1L));
    // a write that died before its rename leaves only a partial temporary file
    Files.writeString(dir.resolve("recovery-point-offset-checkpoint.tmp"), "0\n5\na 0");
    assertEquals(Map.of(new TopicPartition("a", 0), 1L), f.read());
    f.write(Map.of(new TopicPartition("a", 0), 2L));
    assertEquals(Map.of(new TopicPartition("a", 0), 2L), f.read());
  }

  @Test
  void malformedFilesAreRefusedWithAClearError() throws Exception {
    Path p = dir.resolve("log-start-offset-checkpoint");
    OffsetCheckpointFile f = new OffsetCheckpointFile(p);
    String[][] cases = {
      {"", "version"},
      {"1\n0\n", "version 0"},
      {"0\n", "entry count"},
      {"0\nx\n", "entry count"},
      {"0\n2\na 0 1\n", "announces 2 entries but holds 1"},
      {"0\n1\na 0\n", "topic partition offset"},
      {"0\n1\na zero 1\n", "with numbers"},
      {"0\n1\na 0 -5\n", "non-negative"},
    };
    for (String[] c : cases) {
      Files.writeString(p, c[0]);
      IOException e = assertThrows(IOException.class, f::read, c[0]);
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), "\"" + e.getMessage() + "\" should say " + c[1]);
    }
  }

  @Test
  void partitionMetadataRoundTripAndMalformed() throws Exception {
    PartitionMetadataFile f = new PartitionMetadataFile(dir);
    assertFalse(f.exists());
    UUID id = UUID.randomUUID();
    f.write(id);
    assertEquals("version: 0\ntopic_id: " + id + "\n", Files.readString(f.file()));
    assertEquals(id, f.read());
    Files.write(f.file(), "version: 0\ntopic_id: nope\n".getBytes(StandardCharsets.UTF_8));
    assertThrows(IOException.class, f::read);
    Files.write(f.file(), "version: 9\n".getBytes(StandardCharsets.UTF_8));
    assertThrows(IOException.class, f::read);
  }
}
