package io.brook.broker.log;

import static io.brook.broker.log.LogCleanerTest.compacted;
import static io.brook.broker.log.LogCleanerTest.kv;
import static io.brook.broker.log.LogCleanerTest.latest;
import static io.brook.broker.log.LogCleanerTest.put;
import static io.brook.broker.log.LogCleanerTest.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.log.LogCleanerTest.Rec;
import io.brook.broker.log.internals.LogFileNames;
import io.brook.common.MockTime;
import io.brook.common.TopicPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner against crashes (files left by a swap cut short), concurrent appends and reads, and
 * in the LogManager: its thread's backoff, the checkpoint across restarts, deleted logs.
 */
class LogCleanerRecoveryTest {
  @TempDir Path tmp;
  final MockTime time = new MockTime();
  final MockScheduler scheduler = new MockScheduler(time);

  Log open(Path dir) throws Exception {
    return Log.open(dir, UUID.randomUUID(), compacted().build(), 0, 0, false, scheduler, time);
  }

  LogCleaner cleaner(Log log, Path logDir) {
    return new LogCleaner(
        new CleanerConfig(1, 1 << 20, 0.9, 1024, 100, true),
        List.of(logDir),
        () -> List.of(log),
        scheduler,
        time);
  }

  static void copyDir(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aSwapCutShortByACrashIsCompletedAtLoadAndCleanedFilesAreDropped() throws Exception {
    Path a = tmp.resolve("a").resolve("orders-0");
    Log log = open(a);
    for (int i = 0; i < 40; i++) {
      put(log, i / 10, time.milliseconds(), "k" + (i % 4), "v" + i);
    }
    log.roll();
    put(log, 4, time.milliseconds(), "k0", "active");
    List<Rec> original = records(log);
    log.close();
    Path swapCopy = tmp.resolve("b").resolve("orders-0");
    Path cleanedCopy = tmp.resolve("c").resolve("orders-0");
    copyDir(a, swapCopy);
    copyDir(a, cleanedCopy);

    log = open(a);
    log.updateHighWatermark(log.logEndOffset());
    assertTrue(cleaner(log, a.getParent()).cleanFilthiestLog());
    List<Rec> cleaned = records(log);
    List<Long> cleanedBases = log.segmentBaseOffsets();
    assertTrue(cleaned.size() < original.size(), "something was cleaned: " + cleaned);
    log.close();

    // crash after step 1 of the swap (the cleaned files became .swap) for every group, with an
    // old segment's files already renamed .deleted for one of them (step 3 cut short)
    for (long base : cleanedBases.subList(0, cleanedBases.size() - 1)) {
      Files.copy(
          LogFileNames.logFile(a, base, ""),
          LogFileNames.logFile(swapCopy, base, LogFileNames.SWAP_SUFFIX));
      Files.copy(
          LogFileNames.offsetIndexFile(a, base, ""),
          LogFileNames.offsetIndexFile(swapCopy, base, LogFileNames.SWAP_SUFFIX));
      Files.copy(
          LogFileNames.logFile(a, base, ""),
          LogFileNames.logFile(cleanedCopy, base, LogFileNames.CLEANED_SUFFIX));
    }
    Files.move(
        LogFileNames.logFile(swapCopy, 0, ""),
        LogFileNames.logFile(swapCopy, 0, LogFileNames.DELETED_SUFFIX));

    Log recovered = open(swapCopy);
    assertEquals(cleaned, records(recovered), "the swap is completed");
    assertEquals(log.logEndOffset(), recovered.logEndOffset());
    recovered.close();
    assertFalse(
        names(swapCopy).stream().anyMatch(n -> n.endsWith(".swap") || n.endsWith(".deleted")),
        names(swapCopy).toString());

    // crash before step 1: the .cleaned files are dropped, the old segments stay
    Log notSwapped = open(cleanedCopy);
    assertEquals(original, records(notSwapped), "nothing lost, nothing cleaned");
    notSwapped.close();
    assertFalse(
        names(cleanedCopy).stream().anyMatch(n -> n.endsWith(".cleaned")),
        names(cleanedCopy).toString());
  }

  @Test
  void appendsAndReadsDuringCleaningsSeeEveryOffsetUnchanged() throws Exception {
    Path dir = tmp.resolve("orders-0");
    Log log =
        Log.open(
            dir,
            UUID.randomUUID(),
            compacted().segmentBytes(600).build(),
            0,
            0,
            false,
            scheduler,
            time);
    LogCleaner cleaner = cleaner(log, tmp);
    int writes = 1500;
    int keys = 20;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < writes; i++) {
                  log.appendAsLeader(kv(time.milliseconds(), "k" + (i % keys), "v" + i), 0);
                  log.updateHighWatermark(log.logEndOffset());
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "test-writer");
    Thread reader =
        new Thread(
            () -> {
              try {
                while (writer.isAlive()) {
                  long prev = -1;
                  for (Rec r : records(log)) {
                    // one record per batch, so offset i holds write i
                    if (r.offset() <= prev
                        || !r.value().equals("v" + r.offset())
                        || !r.key().equals("k" + (r.offset() % keys))) {
                      throw new AssertionError("read " + r + " after offset " + prev);
                    }
                    prev = r.offset();
                  }
                }
              } catch (Throwable t) {
                failure.compareAndSet(null, t);
              }
            },
            "test-reader");
    writer.start();
    reader.start();
    int cleanings = 0;
    while (writer.isAlive()) {
      if (cleaner.cleanFilthiestLog()) {
        cleanings++;
      }
    }
    writer.join();
    reader.join();
    if (failure.get() != null) {
      throw new AssertionError("a concurrent writer or reader failed", failure.get());
    }
    log.roll();
    log.updateHighWatermark(log.logEndOffset());
    cleaner.cleanFilthiestLog();
    List<Rec> after = records(log);
    Map<String, String> expected = new TreeMap<>();
    for (int j = 0; j < keys; j++) {
      expected.put("k" + j, "v" + (writes - keys + j));
    }
    assertEquals(expected, new TreeMap<>(latest(after)));
    assertEquals(keys, after.size(), "one record per key after the last cleaning: " + after);
    for (Rec r : after) {
      assertEquals("v" + r.offset(), r.value(), "offset unchanged");
    }
    log.close();
  }

  @Test
  void theLogManagersCleanerRunsEveryBackoffAndKeepsItsCheckpointAcrossRestarts() throws Exception {
    Path data = tmp.resolve("data");
    MockScheduler cleanerScheduler = new MockScheduler(time);
    LogManagerConfig mc =
        LogManagerConfig.DEFAULT.withCleanerConfig(
            new CleanerConfig(1, 1 << 20, 0.9, 4096, 1_000, true));
    LogManager m = new LogManager(List.of(data), mc, scheduler, cleanerScheduler, time);
    m.startup();
    TopicPartition tp = new TopicPartition("__consumer_offsets", 3);
    Log l = m.getOrCreateLog(tp, UUID.randomUUID(), compacted().build());
    put(l, 0, time.milliseconds(), "g", "1", "g", "2", "g", "3");
    l.roll();
    cleanerScheduler.advance(999);
    assertEquals(0, m.cleaner().cleaningsCompleted(), "waits log.cleaner.backoff.ms");
    cleanerScheduler.advance(1);
    assertEquals(1, m.cleaner().cleaningsCompleted());
    assertEquals(List.of("3"), records(l).stream().map(Rec::value).toList());
    long firstDirty = m.cleaner().firstDirtyOffset(l).orElseThrow();
    m.close();

    LogManager again = new LogManager(List.of(data), mc, scheduler, cleanerScheduler, time);
    again.startup();
    Log reloaded = again.getLog(tp).orElseThrow();
    assertEquals(firstDirty, again.cleaner().firstDirtyOffset(reloaded).orElseThrow());
    assertEquals(List.of("3"), records(reloaded).stream().map(Rec::value).toList());
    again.deleteLog(tp);
    assertTrue(again.cleaner().firstDirtyOffset(reloaded).isEmpty(), "forgotten with the log");
    again.close();
    List<String> lines = Files.readAllLines(data.resolve(LogCleanerManager.CHECKPOINT_FILE));
    assertEquals(new ArrayList<>(List.of("0", "0")), lines);
  }
}
