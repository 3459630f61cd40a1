package io.brook.client.consumer.internals;

import io.brook.client.common.config.AbstractConfig;
import io.brook.client.common.errors.ConfigException;
import io.brook.client.consumer.ConsumerConfig;
import io.brook.client.consumer.ConsumerPartitionAssignor;
import io.brook.client.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the assignors of {@code partition.assignment.strategy}: class names, loaded reflectively
 * (so the consumer does not depend on which built-in ones are on the class path), or the short
 * names {@code range}, {@code roundrobin}, {@code sticky} and {@code cooperative-sticky}. Also
 * picks the rebalance protocol, as Kafka's ConsumerCoordinator: the newest one every configured
 * assignor supports. Stateless.
 */
public final class Assignors {
  private static final String PACKAGE = "io.brook.client.consumer.";
  private static final Map<String, String> SHORT_NAMES =
      Map.of(
          "range", PACKAGE + "RangeAssignor",
          "roundrobin", PACKAGE + "RoundRobinAssignor",
          "sticky", PACKAGE + "StickyAssignor",
          "cooperative-sticky", PACKAGE + "CooperativeStickyAssignor");

  private Assignors() {}

  /**
   * One instance per configured entry, in order.
   *
   * @throws ConfigException when a class is missing, is not an assignor, or two share a name
   */
  public static List<ConsumerPartitionAssignor> load(List<String> names) {
    List<ConsumerPartitionAssignor> out = new ArrayList<>();
    Set<String> protocolNames = new HashSet<>();
    for (String entry : names) {
      String className = SHORT_NAMES.getOrDefault(entry.trim(), entry.trim());
      Class<?> c;
      try {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        c = Class.forName(className, true, cl != null ? cl : Assignors.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new ConfigException(
            "Invalid value "
                + entry
                + " for configuration "
                + ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG
                + ": Class "
                + className
                + " could not be found.");
      }
      ConsumerPartitionAssignor a =
          AbstractConfig.newInstance(
              ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
              c,
              ConsumerPartitionAssignor.class);
      if (!protocolNames.add(a.name())) {
        throw new ConfigException(
            "The assignor name: '" + a.name() + "' is used in more than one assignor.");
      }
      out.add(a);
    }
    if (out.isEmpty()) {
      throw new ConfigException(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG + " must name at least one assignor");
    }
    return out;
  }

  /**
   * The rebalance protocol of this member: COOPERATIVE when every assignor supports it, else EAGER.
   *
   * @throws ConfigException when the assignors have no protocol in common
   */
  public static RebalanceProtocol protocol(List<ConsumerPartitionAssignor> assignors) {
    Set<RebalanceProtocol> common = EnumSet.allOf(RebalanceProtocol.class);
    for (ConsumerPartitionAssignor a : assignors) {
      common.retainAll(a.supportedProtocols());
    }
    if (common.isEmpty()) {
      throw new ConfigException(
          "Specified assignors "
              + assignors.stream().map(ConsumerPartitionAssignor::name).toList()
              + " do not have commonly supported rebalance protocol");
    }
    return common.contains(RebalanceProtocol.COOPERATIVE)
        ? RebalanceProtocol.COOPERATIVE
        : RebalanceProtocol.EAGER;
  }
}
