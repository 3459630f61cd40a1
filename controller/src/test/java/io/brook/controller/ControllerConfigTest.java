package io.brook.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
