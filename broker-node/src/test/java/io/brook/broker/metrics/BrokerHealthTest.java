package io.brook.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The health check as a table: phase, ZooKeeper connection and registration -> answer. */
class BrokerHealthTest {

  record Case(BrokerHealth.Phase phase, boolean connected, long epoch, String expectedJson) {}

  @Test
  void answersByPhaseConnectionAndRegistration() {
    Case[] cases = {
      new Case(
          BrokerHealth.Phase.SERVING,
          true,
          42,
          "{\"status\":\"OK\",\"broker_id\":3,\"broker_epoch\":42,\"active_controller\":true}"),
      new Case(
          BrokerHealth.Phase.STARTING,
          true,
          -1,
          "{\"status\":\"UNAVAILABLE\",\"reason\":\"starting\",\"broker_id\":3,"
              + "\"broker_epoch\":-1,\"active_controller\":true}"),
      new Case(
          BrokerHealth.Phase.SERVING,
          false,
          42,
          "{\"status\":\"UNAVAILABLE\",\"reason\":\"ZooKeeper connection lost\",\"broker_id\":3,"
              + "\"broker_epoch\":42,\"active_controller\":true}"),
      new Case(
          BrokerHealth.Phase.SERVING,
          true,
          -1,
          "{\"status\":\"UNAVAILABLE\",\"reason\":\"not registered in ZooKeeper\",\"broker_id\":3,"
              + "\"broker_epoch\":-1,\"active_controller\":true}"),
      new Case(
          BrokerHealth.Phase.SHUTTING_DOWN,
          false,
          42,
          "{\"status\":\"UNAVAILABLE\",\"reason\":\"shutting down\",\"broker_id\":3,"
              + "\"broker_epoch\":42,\"active_controller\":true}"),
    };
    AtomicBoolean connected = new AtomicBoolean();
    AtomicLong epoch = new AtomicLong();
    BrokerHealth health = new BrokerHealth(3, connected::get, epoch::get, () -> true);
    for (Case c : cases) {
      health.setPhase(c.phase());
      connected.set(c.connected());
      epoch.set(c.epoch());
      assertEquals(c.expectedJson(), health.check().toJson(), c.toString());
    }
  }

  @Test
  void aFailingSourceIsReportedNotThrown() {
    BrokerHealth health =
        new BrokerHealth(
            1,
            () -> {
              throw new IllegalStateException("boom");
            },
            () -> 1,
            () -> false);
    health.setPhase(BrokerHealth.Phase.SERVING);
    assertEquals(false, health.check().healthy());
  }
}
