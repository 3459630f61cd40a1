package io.brook.client.admin;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/** Options of listConsumerGroups: only groups in these states (all when empty). Not thread-safe. */
public final class ListConsumerGroupsOptions extends AbstractOptions<ListConsumerGroupsOptions> {
  private Set<ConsumerGroupState> states = Collections.emptySet();

  public ListConsumerGroupsOptions inStates(Set<ConsumerGroupState> states) {
    this.states = states == null ? Collections.emptySet() : new HashSet<>(states);
    return this;
  }

  public Set<ConsumerGroupState> states() {
    return states;
  }
}
