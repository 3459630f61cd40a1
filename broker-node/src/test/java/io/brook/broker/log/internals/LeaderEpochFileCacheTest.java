package io.brook.broker.log.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.log.internals.LeaderEpochCheckpointFile.EpochEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kafka's LeaderEpochFileCache semantics, on a real checkpoint file. */
class LeaderEpochFileCacheTest {
  @TempDir Path tmp;

  LeaderEpochCheckpointFile file() {
    return LeaderEpochCheckpointFile.in(tmp);
  }

  /** Epochs 2@10, 4@20, 7@35 (epochs 3, 5, 6 never led), log end 50. */
  LeaderEpochFileCache sample() throws IOException {
    LeaderEpochFileCache c = new LeaderEpochFileCache("t-0", file(), List.of());
    c.assign(2, 10);
    c.assign(4, 20);
    c.assign(7, 35);
    return c;
  }

  static Stream<Arguments> endOffsetCases() {
    return Stream.of(
        // requested, expected (offset, epoch): with log end 50
        Arguments.of("undefined epoch", -1, -1L, -1),
        Arguments.of("below the first epoch", 1, 10L, 1),
        Arguments.of("the first epoch", 2, 20L, 2),
        Arguments.of("between epochs 2 and 4", 3, 20L, 2),
        Arguments.of("a middle epoch", 4, 35L, 4),
        Arguments.of("between epochs 4 and 7", 5, 35L, 4),
        Arguments.of("between epochs 4 and 7 (2)", 6, 35L, 4),
        Arguments.of("the latest epoch", 7, 50L, 7),
        Arguments.of("above the latest epoch", 8, -1L, -1),
        Arguments.of("far above", 1000, -1L, -1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("endOffsetCases")
  void endOffsetFor(String name, int requested, long offset, int epoch) throws Exception {
    assertEquals(new OffsetAndEpoch(offset, epoch), sample().endOffsetFor(requested, 50));
  }

  @Test
  void emptyCacheKnowsNoEpoch() {
    LeaderEpochFileCache c = new LeaderEpochFileCache("t-0", file(), List.of());
    assertEquals(OptionalInt.empty(), c.latestEpoch());
    assertEquals(new OffsetAndEpoch(-1, -1), c.endOffsetFor(0, 10));
    assertEquals(new OffsetAndEpoch(-1, -1), c.endOffsetFor(5, 10));
  }

  static Stream<Arguments> assignCases() {
    return Stream.of(
        Arguments.of("same epoch later offset: no change", 7, 40L, "2@10 4@20 7@35"),
        Arguments.of("same epoch same offset: no change", 7, 35L, "2@10 4@20 7@35"),
        Arguments.of("new epoch", 9, 50L, "2@10 4@20 7@35 9@50"),
        Arguments.of("same epoch earlier offset replaces it", 7, 30L, "2@10 4@20 7@30"),
        Arguments.of("lower epoch removes later epochs", 5, 40L, "2@10 4@20 5@40"),
        Arguments.of("higher epoch at an earlier offset", 9, 20L, "2@10 9@20"),
        Arguments.of("negative epoch ignored", -1, 60L, "2@10 4@20 7@35"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("assignCases")
  void assignKeepsEpochsAndOffsetsIncreasing(String name, int epoch, long offset, String expected)
      throws Exception {
    LeaderEpochFileCache c = sample();
    c.assign(epoch, offset);
    assertEquals(expected, render(c.entries()));
    assertEquals(expected, render(file().read().orElseThrow()), "checkpoint written through");
  }

  static Stream<Arguments> truncateFromEndCases() {
    return Stream.of(
        Arguments.of(50L, "2@10 4@20 7@35"),
        Arguments.of(36L, "2@10 4@20 7@35"),
        Arguments.of(35L, "2@10 4@20"),
        Arguments.of(21L, "2@10 4@20"),
        Arguments.of(20L, "2@10"),
        Arguments.of(10L, ""),
        Arguments.of(0L, ""));
  }

  @ParameterizedTest(name = "truncate to {0}")
  @MethodSource("truncateFromEndCases")
  void truncateFromEndDropsEpochsStartingAtOrAfterTheEnd(long end, String expected)
      throws Exception {
    LeaderEpochFileCache c = sample();
    c.truncateFromEnd(end);
    assertEquals(expected, render(c.entries()));
    assertEquals(expected, render(file().read().orElseThrow()));
  }

  static Stream<Arguments> truncateFromStartCases() {
    return Stream.of(
        Arguments.of(5L, "2@10 4@20 7@35"),
        Arguments.of(10L, "2@10 4@20 7@35"),
        Arguments.of(15L, "2@15 4@20 7@35"),
        Arguments.of(20L, "4@20 7@35"),
        Arguments.of(40L, "7@40"));
  }

  @ParameterizedTest(name = "log start {0}")
  @MethodSource("truncateFromStartCases")
  void truncateFromStartKeepsTheEpochHoldingTheNewStart(long start, String expected)
      throws Exception {
    LeaderEpochFileCache c = sample();
    c.truncateFromStart(start);
    assertEquals(expected, render(c.entries()));
    assertEquals(expected, render(file().read().orElseThrow()));
  }

  @Test
  void checkpointHasKafkasFormatAndSurvivesReload() throws Exception {
    sample();
    assertEquals(
        "0\n3\n2 10\n4 20\n7 35\n",
        Files.readString(tmp.resolve("leader-epoch-checkpoint"), StandardCharsets.UTF_8));
    LeaderEpochFileCache again =
        new LeaderEpochFileCache("t-0", file(), file().read().orElseThrow());
    assertEquals("2@10 4@20 7@35", render(again.entries()));
    assertEquals(OptionalInt.of(7), again.latestEpoch());
  }

  @Test
  void clearEmptiesTheFile() throws Exception {
    LeaderEpochFileCache c = sample();
    c.clearAndFlush();
    assertEquals(List.of(), file().read().orElseThrow());
    assertEquals(OptionalInt.empty(), c.latestEpoch());
  }

  @Test
  void malformedFileIsRefusedNamingTheLine() throws Exception {
    Files.writeString(tmp.resolve("leader-epoch-checkpoint"), "0\n2\n1 0\nx 5\n");
    IOException e = assertThrows(IOException.class, () -> file().read());
    assertTrue(e.getMessage().contains("line 4"), e.getMessage());
  }

  @Test
  void missingFileReadsAsEmpty() throws Exception {
    assertTrue(file().read().isEmpty());
  }

  static String render(List<EpochEntry> entries) {
    StringBuilder sb = new StringBuilder();
    for (EpochEntry e : entries) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(e.epoch()).append('@').append(e.startOffset());
    }
    return sb.toString();
  }
}
