package io.brook.systest.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioDirTest {

  @Test
  void deletedWhenPassedKeptWhenFailed(@TempDir Path parent) throws Exception {
    assumeFalse(Boolean.getBoolean(ScenarioDir.KEEP_PROPERTY), "directories kept on request");
    ScenarioDir passed = ScenarioDir.create(parent, "kill leader");
    assertTrue(passed.path().getFileName().toString().startsWith("kill_leader-"));
    Files.createDirectories(passed.path().resolve("data-1/t-0"));
    Files.writeString(passed.path().resolve("data-1/t-0/00000000000000000000.log"), "x");
    assertNull(passed.finish(true));
    assertFalse(Files.exists(passed.path()));

    ScenarioDir failed = ScenarioDir.create(parent, "zk-restart");
    Files.writeString(failed.path().resolve("broker-1.out"), "log");
    assertEquals(failed.path(), failed.finish(false));
    assertTrue(Files.exists(failed.path().resolve("broker-1.out")));
    assertEquals(failed.path(), failed.finish(true), "only the first finish acts");
    assertTrue(Files.exists(failed.path()));
  }
}
