package io.brook.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerConfigTest {

  @Test
  void electLeaderOutsideIsrIsOffAndNoBrokerPropertyTurnsItOn() {
    assertFalse(ControllerConfig.fromProperties(1, Map.of()).electLeaderOutsideIsr());
    // A test-only fault is never a broker property: only the broker's main sets it.
    assertFalse(
        ControllerConfig.fromProperties(1, Map.of("brook.test.electLeaderOutsideIsr", "true"))
            .electLeaderOutsideIsr());
    ControllerConfig on =
        ControllerConfig.fromProperties(1, Map.of("request.timeout.ms", "7000"))
            .withElectLeaderOutsideIsr(true);
    assertTrue(on.electLeaderOutsideIsr());
    assertTrue(on.requestTimeoutMs() == 7000 && on.candidate());
  }

  @Test
  void leaderRebalanceConfigsHaveKafkasDefaults() {
    ControllerConfig c = ControllerConfig.fromProperties(1, Map.of());
    assertTrue(c.autoLeaderRebalanceEnable());
    assertEquals(10, c.leaderImbalancePerBrokerPercentage());
    assertEquals(300_000, c.leaderImbalanceCheckIntervalMs());
    ControllerConfig set =
        ControllerConfig.fromProperties(
            1,
            Map.of(
                "auto.leader.rebalance.enable", "FALSE",
                "leader.imbalance.per.broker.percentage", " 25 ",
                "leader.imbalance.check.interval.seconds", "1"));
    assertFalse(set.autoLeaderRebalanceEnable());
    assertEquals(25, set.leaderImbalancePerBrokerPercentage());
    assertEquals(1000, set.leaderImbalanceCheckIntervalMs());
  }

  @Test
  void badLeaderRebalanceConfigsAreRefusedNamingKeyAndValue() {
    for (var bad :
        Map.of(
                "auto.leader.rebalance.enable", "yes",
                "leader.imbalance.per.broker.percentage", "101",
                "leader.imbalance.check.interval.seconds", "0")
            .entrySet()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ControllerConfig.fromProperties(1, Map.of(bad.getKey(), bad.getValue())));
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
      assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ControllerConfig.fromProperties(
                    1, Map.of("leader.imbalance.per.broker.percentage", "ten")));
    assertEquals(
        "Invalid value ten for configuration leader.imbalance.per.broker.percentage: not a whole"
            + " number",
        e.getMessage());
  }
}
