package io.brook.client.consumer.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.Cluster;
import io.brook.client.common.errors.ConfigException;
import io.brook.client.consumer.ConsumerPartitionAssignor;
import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.GroupAssignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.common.TopicPartition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssignorsTest {
  public static final class EagerOnly implements ConsumerPartitionAssignor {
    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
      return new GroupAssignment(Map.of());
    }

    @Override
    public String name() {
      return "eager-only";
    }
  }

  public static final class Both implements ConsumerPartitionAssignor {
    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
      return new GroupAssignment(Map.of());
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
      return List.of(RebalanceProtocol.COOPERATIVE, RebalanceProtocol.EAGER);
    }

    @Override
    public String name() {
      return "both";
    }
  }

  @Test
  void protocolIsCooperativeOnlyWhenEveryAssignorSupportsIt() {
    String both = Both.class.getName();
    String eager = EagerOnly.class.getName();
    assertEquals(RebalanceProtocol.COOPERATIVE, Assignors.protocol(Assignors.load(List.of(both))));
    assertEquals(RebalanceProtocol.EAGER, Assignors.protocol(Assignors.load(List.of(both, eager))));
  }

  @Test
  void missingClassIsAConfigErrorNamingIt() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> Assignors.load(List.of("com.example.Nope")));
    assertTrue(e.getMessage().contains("com.example.Nope could not be found"), e.getMessage());
  }

  @Test
  void twoAssignorsWithOneNameAreRefused() {
    String both = Both.class.getName();
    assertThrows(ConfigException.class, () -> Assignors.load(List.of(both, both)));
  }

  @Test
  void cooperativeAssignmentMayNotMoveAnOwnedPartitionInOneRebalance() {
    TopicPartition t0 = new TopicPartition("t", 0);
    Map<String, Subscription> subs =
        Map.of(
            "a", new Subscription(List.of("t"), null, List.of(t0)),
            "b", new Subscription(List.of("t"), null, List.of()));
    ConsumerCoordinator.validateCooperativeAssignment(
        subs, new GroupAssignment(Map.of("a", new Assignment(List.of(t0)))));
    assertThrows(
        IllegalStateException.class,
        () ->
            ConsumerCoordinator.validateCooperativeAssignment(
                subs, new GroupAssignment(Map.of("b", new Assignment(List.of(t0))))));
  }
}
