package io.brook.systest.check;

/**
 * How a workload topic is produced to, which decides what the checker may tolerate: with {@code
 * acks=all} (idempotent, min.insync.replicas=2) nothing; with {@code acks=1} and {@code acks=0}
 * losses and duplicates are expected under faults and only reported.
 */
public enum AckMode {
  /** acks=all, enable.idempotence=true, min.insync.replicas=2. */
  ALL("all"),
  /** acks=1, no idempotence (a retry may duplicate). */
  ONE("1"),
  /** acks=0: the client never learns the offset. */
  ZERO("0");

  private final String acksConfig;

  AckMode(String acksConfig) {
    this.acksConfig = acksConfig;
  }

  /** The producer's {@code acks} setting. */
  public String acksConfig() {
    return acksConfig;
  }
}
