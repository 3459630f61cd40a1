package io.brook.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which {@code unclean.leader.election.enable} the controller obeys: the topic override, then its
 * own broker's dynamic config, then the cluster-wide dynamic default, then the static property.
 */
class UncleanElectionConfigTest {
  private static final String KEY = "unclean.leader.election.enable";

  @Test
  void precedenceIsTopicThenOwnBrokerThenDefaultThenStatic() {
    ControllerContext ctx = new ControllerContext(1, 1);
    Map<String, String> staticProps = Map.of(KEY, "false");
    assertFalse(ctx.uncleanAllowed("t", staticProps));
    assertFalse(ctx.uncleanAllowed("t", Map.of()), "default false");

    ctx.dynamicDefault = Map.of(KEY, "true");
    assertTrue(ctx.uncleanAllowed("t", staticProps), "<default> overrides the static property");

    ctx.dynamicOwn = Map.of(KEY, "false");
    assertFalse(
        ctx.uncleanAllowed("t", staticProps), "the broker's own config overrides <default>");

    ctx.configs.put("t", Map.of(KEY, "true"));
    assertTrue(ctx.uncleanAllowed("t", staticProps), "the topic override wins");
    assertFalse(ctx.uncleanAllowed("other", staticProps));
  }
}
