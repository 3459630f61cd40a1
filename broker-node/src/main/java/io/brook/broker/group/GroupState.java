package io.brook.broker.group;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The states of a classic group, Kafka's names (as DescribeGroups and ListGroups show them).
 *
 * <pre>
 *  state               | entered from                              | means
 *  --------------------+-------------------------------------------+-----------------------------------
 *  Empty               | PreparingRebalance                        | no members; offsets may remain
 *  PreparingRebalance  | Stable, CompletingRebalance, Empty        | waiting for members to (re)join
 *  CompletingRebalance | PreparingRebalance                        | joined; waiting for the leader's
 *                      |                                           | assignment (SyncGroup)
 *  Stable              | CompletingRebalance                       | assignment stored and handed out
 *  Dead                | Stable, PreparingRebalance,               | deleted, expired or unloaded:
 *                      | CompletingRebalance, Empty, Dead          | the group is gone from this broker
 * </pre>
 */
public enum GroupState {
  EMPTY("Empty"),
  PREPARING_REBALANCE("PreparingRebalance"),
  COMPLETING_REBALANCE("CompletingRebalance"),
  STABLE("Stable"),
  DEAD("Dead");

  private final String kafkaName;

  GroupState(String kafkaName) {
    this.kafkaName = kafkaName;
  }

  /** Kafka's name of the state ("PreparingRebalance"). */
  public String kafkaName() {
    return kafkaName;
  }

  /** The states a group may move to this one from (Kafka's {@code validPreviousStates}). */
  public Set<GroupState> validPreviousStates() {
    return switch (this) {
      case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
      case PREPARING_REBALANCE -> EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
      case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
      case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
      case DEAD -> EnumSet.allOf(GroupState.class);
    };
  }

  /** The state named {@code name}, case-insensitively (as Kafka parses ListGroups filters). */
  public static GroupState parse(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (GroupState s : values()) {
      if (s.kafkaName.toLowerCase(Locale.ROOT).equals(n)) {
        return s;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return kafkaName;
  }
}
