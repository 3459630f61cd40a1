package io.brook.client.admin;

/** The kind of leader election (Kafka's {@code org.apache.kafka.common.ElectionType}). */
public enum ElectionType {
  /** The first replica of the assignment, when it is live and in the ISR. */
  PREFERRED,
  /**
   * Any live replica, even out of the ISR, for partitions without a leader (may lose acknowledged
   * records).
   */
  UNCLEAN
}
