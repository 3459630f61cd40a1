package io.brook.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ZooKeeperFourLetterWordsTest {

  @Test
  void findsTheBrokerRegistrationsInADump() {
    String dump =
        "SessionTracker dump:\n"
            + "Global Sessions(3):\n"
            + "0x100001e92b20000\t18000ms\n"
            + "ephemeral nodes dump:\n"
            + "Sessions with Ephemerals (3):\n"
            + "0x100001e92b20001:\n"
            + "\t/brokers/ids/2\n"
            + "\t/controller\n"
            + "0x100001e92b20002:\n"
            + "\t/brokers/ids/13\n"
            + "\t/brokers/ids/13/not-a-registration\n"
            + "Connections with Ephemerals (0):\n";
    assertEquals(Set.of(2, 13), ZooKeeperFourLetterWords.brokerIdsInDump(dump));
    assertEquals(Set.of(), ZooKeeperFourLetterWords.brokerIdsInDump(""));
  }

  @Test
  void anUnreachableServerIsNotOk() {
    // Port 1 on loopback: nothing listens there.
    assertEquals(false, ZooKeeperFourLetterWords.ruok("127.0.0.1", 1, 1000));
    assertEquals(Set.of(), ZooKeeperFourLetterWords.registeredBrokers("127.0.0.1", 1, 1000));
  }
}
