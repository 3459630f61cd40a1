package io.brook.client.admin;

import java.util.Arrays;
import java.util.Locale;

/** A consumer group's state as the coordinator reports it, with Kafka's names. */
public enum ConsumerGroupState {
  UNKNOWN("Unknown"),
  PREPARING_REBALANCE("PreparingRebalance"),
  COMPLETING_REBALANCE("CompletingRebalance"),
  STABLE("Stable"),
  DEAD("Dead"),
  EMPTY("Empty");

  private final String name;

  ConsumerGroupState(String name) {
    this.name = name;
  }

  /** The state of this name (case-insensitive), or UNKNOWN. */
  public static ConsumerGroupState parse(String name) {
    if (name == null) {
      return UNKNOWN;
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(s -> s.name.toLowerCase(Locale.ROOT).equals(n))
        .findFirst()
        .orElse(UNKNOWN);
  }

  @Override
  public String toString() {
    return name;
  }
}
