package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The automatic leader rebalance configs: Kafka's defaults, and bad values refused at start. */
class LeaderRebalanceConfigTest {
  private static Map<String, String> with(String k, String v) {
    Map<String, String> m = new HashMap<>();
    m.put("broker.id", "1");
    m.put("zookeeper.connect", "localhost:2181/brook");
    if (k != null) {
      m.put(k, v);
    }
    return m;
  }

  @Test
  void defaultsAreKafkas() {
    BrokerConfig c = new BrokerConfig(with(null, null));
    assertTrue(c.getBoolean(BrokerConfig.AUTO_LEADER_REBALANCE_ENABLE));
    assertEquals(10, c.getInt(BrokerConfig.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE));
    assertEquals(300L, c.getLong(BrokerConfig.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS));
  }

  @Test
  void badValuesAreRefusedNamingKeyAndValue() {
    String[][] cases = {
      {"auto.leader.rebalance.enable", "sometimes"},
      {"leader.imbalance.per.broker.percentage", "-1"},
      {"leader.imbalance.per.broker.percentage", "101"},
      {"leader.imbalance.per.broker.percentage", "ten"},
      {"leader.imbalance.check.interval.seconds", "0"},
      {"leader.imbalance.check.interval.seconds", "5m"},
    };
    for (String[] c : cases) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> new BrokerConfig(with(c[0], c[1])), c[0]);
      assertTrue(e.getMessage().contains(c[0]) && e.getMessage().contains(c[1]), e.getMessage());
    }
  }
}
