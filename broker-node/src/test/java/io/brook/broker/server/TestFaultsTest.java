package io.brook.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class TestFaultsTest {

  @Test
  void offUnlessASystemPropertySaysTrue() {
    assertEquals(TestFaults.NONE, TestFaults.fromSystemProperties(new Properties()));
    assertFalse(TestFaults.NONE.any());
    assertEquals(java.util.List.of(), TestFaults.NONE.warnings());

    Properties p = new Properties();
    p.setProperty(TestFaults.ACK_BEFORE_REPLICATION, "yes"); // only "true" switches it on
    p.setProperty(TestFaults.ELECT_LEADER_OUTSIDE_ISR, "false");
    assertEquals(TestFaults.NONE, TestFaults.fromSystemProperties(p));
  }

  @Test
  void eachSwitchReadsItsOwnPropertyAndWarns() {
    Properties ack = new Properties();
    ack.setProperty("brook.test.ackBeforeReplication", "true");
    TestFaults a = TestFaults.fromSystemProperties(ack);
    assertEquals(new TestFaults(true, false), a);
    assertEquals(1, a.warnings().size());
    assertTrue(a.warnings().get(0).contains("brook.test.ackBeforeReplication"));

    Properties elect = new Properties();
    elect.setProperty("brook.test.electLeaderOutsideIsr", " TRUE ");
    TestFaults e = TestFaults.fromSystemProperties(elect);
    assertEquals(new TestFaults(false, true), e);
    assertTrue(e.any());
    assertTrue(e.warnings().get(0).contains("brook.test.electLeaderOutsideIsr"));
  }
}
