package io.brook.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TakeoverTimingsTest {
  @Test
  void theLogLineReadsBack() {
    for (boolean all : new boolean[] {true, false}) {
      TakeoverTimings t =
          new TakeoverTimings(
              5, 7, 4, 100, 10_000, 12, 1_700_000_000_123L, 800, 3, 90, 1_400, all, 321);
      String line = "[2026-11-22 08:18:17,161] INFO  " + t + " (i.b.c.ActiveController)";
      assertEquals(Optional.of(t), TakeoverTimings.parse(line));
    }
  }

  @Test
  void otherLinesAreNotTimings() {
    assertTrue(TakeoverTimings.parse("Broker 4 became controller (epoch 3)").isEmpty());
  }
}
