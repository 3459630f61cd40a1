package io.brook.broker.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Faults that only tests switch on: each breaks a durability guarantee on purpose, so that the
 * fault-injection system tests can prove that their checker notices (a negative control). Never a
 * broker property: only JVM system properties set them, read once by {@link BrokerMain} (through
 * {@link #fromSystemProperties}) and handed as plain values to the classes that act on them, so
 * that unit tests inject them directly. All off by default ({@link #NONE}).
 *
 * @param ackBeforeReplication {@value #ACK_BEFORE_REPLICATION}: the broker answers acks=all as
 *     acks=1, right after its local append (no high-watermark wait, no min.insync.replicas check)
 * @param electLeaderOutsideIsr {@value #ELECT_LEADER_OUTSIDE_ISR}: this broker's controller, when a
 *     partition needs a new leader, prefers a live replica outside the ISR (the ISR becomes that
 *     leader alone, as in an unclean election)
 */
public record TestFaults(boolean ackBeforeReplication, boolean electLeaderOutsideIsr) {
  public static final String ACK_BEFORE_REPLICATION = "brook.test.ackBeforeReplication";
  public static final String ELECT_LEADER_OUTSIDE_ISR = "brook.test.electLeaderOutsideIsr";

  /** Every fault off: what production runs. */
  public static final TestFaults NONE = new TestFaults(false, false);

  /** The faults set to {@code true} in {@code props} (normally {@code System.getProperties()}). */
  public static TestFaults fromSystemProperties(Properties props) {
    return new TestFaults(
        Boolean.parseBoolean(props.getProperty(ACK_BEFORE_REPLICATION, "false").trim()),
        Boolean.parseBoolean(props.getProperty(ELECT_LEADER_OUTSIDE_ISR, "false").trim()));
  }

  public boolean any() {
    return ackBeforeReplication || electLeaderOutsideIsr;
  }

  /** One loud line per fault that is on, for the startup log; empty when all are off. */
  public List<String> warnings() {
    List<String> w = new ArrayList<>();
    if (ackBeforeReplication) {
      w.add(
          "TEST FAULT ON: -D"
              + ACK_BEFORE_REPLICATION
              + "=true: acks=all produces are acknowledged before replication; acknowledged"
              + " records WILL be lost when this broker fails. Never use this outside tests.");
    }
    if (electLeaderOutsideIsr) {
      w.add(
          "TEST FAULT ON: -D"
              + ELECT_LEADER_OUTSIDE_ISR
              + "=true: this broker's controller elects leaders from OUTSIDE the ISR when it can;"
              + " committed records WILL be lost. Never use this outside tests.");
    }
    return w;
  }
}
