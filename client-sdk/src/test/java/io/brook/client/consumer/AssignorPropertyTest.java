package io.brook.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.PartitionInfo;
import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.GroupSubscription;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.client.consumer.internals.ConsumerProtocol;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Seeded random property tests of the four assignors, and the helpers the other assignor tests
 * share. Every failure message names the seed, so a failing case replays exactly.
 *
 * <p>Properties: every subscribed partition (of a topic with metadata) is assigned exactly once,
 * only to a member subscribing to its topic; balance (max - min <= 1 with identical subscriptions
 * for roundrobin and the sticky ones, per topic for range; Kafka's "no member could take a
 * partition from one with two more" otherwise); the sticky ones are a fixed point (rebalancing with
 * nothing changed moves nothing), a leaving member moves only its own partitions, a joining member
 * receives its share and nothing else moves; cooperative: no partition is given to a new owner in
 * the generation it is taken from its owner, and the group converges within a few rebalances to a
 * complete balanced assignment.
 */
class AssignorPropertyTest {
  private static final int SEEDS = 60;

  // ------------------------------------------------------------------ shared helpers

  static Cluster cluster(Map<String, Integer> partitionsPerTopic) {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> partitions = new ArrayList<>();
    partitionsPerTopic.forEach(
        (topic, n) -> {
          for (int p = 0; p < n; p++) {
            partitions.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
          }
        });
    return new Cluster("cluster", List.of(node), partitions, Set.of(), node);
  }

  static TopicPartition tp(String topic, int partition) {
    return new TopicPartition(topic, partition);
  }

  /** The assignment as member -> partitions, every list sorted. */
  static Map<String, List<TopicPartition>> assign(
      ConsumerPartitionAssignor assignor,
      Map<String, Integer> partitionsPerTopic,
      Map<String, Subscription> subscriptions) {
    Map<String, Assignment> result =
        assignor
            .assign(cluster(partitionsPerTopic), new GroupSubscription(subscriptions))
            .groupAssignment();
    assertEquals(subscriptions.keySet(), result.keySet(), "every member gets an assignment");
    Map<String, List<TopicPartition>> out = new TreeMap<>();
    result.forEach((m, a) -> out.put(m, a.partitions()));
    return out;
  }

  /** Every partition at most once (exactly once when {@code complete}), only to subscribers. */
  static void assertValid(
      String context,
      Map<String, Integer> partitionsPerTopic,
      Map<String, Subscription> subscriptions,
      Map<String, List<TopicPartition>> assignment,
      boolean complete) {
    Map<TopicPartition, String> owners = new HashMap<>();
    assignment.forEach(
        (member, partitions) -> {
          for (TopicPartition tp : partitions) {
            String other = owners.put(tp, member);
            if (other != null) {
              fail(context + ": " + tp + " assigned to both " + other + " and " + member);
            }
            assertTrue(
                subscriptions.get(member).topics().contains(tp.topic()),
                context + ": " + tp + " assigned to " + member + " not subscribed to its topic");
            Integer count = partitionsPerTopic.get(tp.topic());
            assertTrue(
                count != null && tp.partition() < count, context + ": " + tp + " does not exist");
          }
        });
    if (complete) {
      Set<String> subscribed = new HashSet<>();
      subscriptions.values().forEach(s -> subscribed.addAll(s.topics()));
      for (String topic : subscribed) {
        Integer count = partitionsPerTopic.get(topic);
        for (int p = 0; count != null && p < count; p++) {
          assertNotNull(owners.get(tp(topic, p)), context + ": " + tp(topic, p) + " unassigned");
        }
      }
    }
  }

  static void assertMaxMinusMinAtMostOne(
      String context, Map<String, List<TopicPartition>> assignment) {
    int max = assignment.values().stream().mapToInt(List::size).max().orElse(0);
    int min = assignment.values().stream().mapToInt(List::size).min().orElse(0);
    assertTrue(max - min <= 1, context + ": unbalanced, sizes " + sizes(assignment));
  }

  /** Kafka's isBalanced: no member could take a partition from a member holding two more. */
  static void assertKafkaBalanced(
      String context,
      Map<String, Subscription> subscriptions,
      Map<String, List<TopicPartition>> assignment) {
    assignment.forEach(
        (from, partitions) ->
            assignment.forEach(
                (to, theirs) -> {
                  if (theirs.size() < partitions.size() - 1) {
                    for (TopicPartition tp : partitions) {
                      assertTrue(
                          !subscriptions.get(to).topics().contains(tp.topic()),
                          context
                              + ": "
                              + to
                              + " ("
                              + theirs.size()
                              + ") could take "
                              + tp
                              + " from "
                              + from
                              + " ("
                              + partitions.size()
                              + "), sizes "
                              + sizes(assignment));
                    }
                  }
                }));
  }

  static Map<String, Integer> sizes(Map<String, List<TopicPartition>> assignment) {
    Map<String, Integer> out = new TreeMap<>();
    assignment.forEach((m, a) -> out.put(m, a.size()));
    return out;
  }

  /** The subscription as it travels: through ConsumerProtocol's bytes. */
  static Subscription roundTrip(Subscription s) {
    return ConsumerProtocol.deserializeSubscription(ConsumerProtocol.serializeSubscription(s));
  }

  // ------------------------------------------------------------------ random inputs

  private static Map<String, Integer> randomTopics(Random random) {
    Map<String, Integer> topics = new TreeMap<>();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      topics.put("t" + i, 1 + random.nextInt(12));
    }
    return topics;
  }

  private static List<String> randomSubset(Random random, Set<String> topics) {
    List<String> out = new ArrayList<>();
    for (String t : topics) {
      if (random.nextBoolean()) {
        out.add(t);
      }
    }
    if (out.isEmpty()) {
      out.add(new ArrayList<>(topics).get(random.nextInt(topics.size())));
    }
    return out;
  }

  // ------------------------------------------------------------------ stateless properties

  @Test
  void everyAssignorAssignsEachSubscribedPartitionExactlyOnceToASubscriber() {
    List<Supplier<ConsumerPartitionAssignor>> assignors =
        List.of(
            RangeAssignor::new,
            RoundRobinAssignor::new,
            StickyAssignor::new,
            CooperativeStickyAssignor::new);
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      Map<String, Integer> topics = randomTopics(random);
      boolean identical = random.nextBoolean();
      List<String> common = new ArrayList<>(topics.keySet());
      Map<String, Subscription> subscriptions = new TreeMap<>();
      int members = 1 + random.nextInt(8);
      for (int i = 0; i < members; i++) {
        List<String> subscribed = identical ? common : randomSubset(random, topics.keySet());
        if (random.nextInt(5) == 0) {
          // A topic the leader has no metadata for: skipped, not an error.
          subscribed = new ArrayList<>(subscribed);
          subscribed.add("unknown");
        }
        Optional<String> instanceId =
            random.nextBoolean() ? Optional.of("instance-" + (members - i)) : Optional.empty();
        subscriptions.put(
            "member-" + i, new Subscription(subscribed).withGroupInstanceId(instanceId));
      }
      for (Supplier<ConsumerPartitionAssignor> factory : assignors) {
        ConsumerPartitionAssignor assignor = factory.get();
        String context = "seed " + seed + ", " + assignor.name();
        Map<String, List<TopicPartition>> a = assign(assignor, topics, subscriptions);
        assertValid(context, topics, subscriptions, a, true);
        assertEquals(a, assign(factory.get(), topics, subscriptions), context + ": deterministic");
        boolean allIdentical =
            subscriptions.values().stream().map(s -> new HashSet<>(s.topics())).distinct().count()
                == 1;
        if (assignor instanceof RangeAssignor) {
          for (String topic : topics.keySet()) {
            Map<String, List<TopicPartition>> perTopic = new TreeMap<>();
            subscriptions.forEach(
                (m, s) -> {
                  if (s.topics().contains(topic)) {
                    perTopic.put(
                        m, a.get(m).stream().filter(p -> p.topic().equals(topic)).toList());
                  }
                });
            assertMaxMinusMinAtMostOne(context + " topic " + topic, perTopic);
          }
        } else if (allIdentical) {
          assertMaxMinusMinAtMostOne(context, a);
        } else if (!(assignor instanceof RoundRobinAssignor)) {
          assertKafkaBalanced(context, subscriptions, a);
        }
      }
    }
  }

  @Test
  void largeGroupWithMixedSubscriptions() {
    Random random = new Random(42);
    Map<String, Integer> topics = new TreeMap<>();
    for (int i = 0; i < 12; i++) {
      topics.put("topic-" + i, 1 + random.nextInt(64));
    }
    Map<String, Subscription> subscriptions = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      subscriptions.put(
          String.format("member-%02d", i), new Subscription(randomSubset(random, topics.keySet())));
    }
    for (ConsumerPartitionAssignor assignor :
        List.of(new StickyAssignor(), new CooperativeStickyAssignor())) {
      Map<String, List<TopicPartition>> a = assign(assignor, topics, subscriptions);
      assertValid(assignor.name(), topics, subscriptions, a, true);
      assertKafkaBalanced(assignor.name(), subscriptions, a);
    }
  }

  // ------------------------------------------------------------------ eager sticky over time

  /** A group of eager sticky members: each with its own assignor instance, as in real clients. */
  private static final class EagerGroup {
    final Map<String, StickyAssignor> assignors = new TreeMap<>();
    final Map<String, List<String>> topics = new TreeMap<>();
    Map<String, List<TopicPartition>> current = new TreeMap<>();
    int generation = 0;

    Map<String, Subscription> subscriptions() {
      Map<String, Subscription> out = new TreeMap<>();
      assignors.forEach(
          (m, a) -> {
            List<String> t = topics.get(m);
            out.put(m, roundTrip(new Subscription(t, a.subscriptionUserData(new HashSet<>(t)))));
          });
      return out;
    }

    Map<String, List<TopicPartition>> rebalance(Map<String, Integer> partitionsPerTopic) {
      generation++;
      Map<String, Subscription> subs = subscriptions();
      Map<String, List<TopicPartition>> next =
          assign(assignors.values().iterator().next(), partitionsPerTopic, subs);
      next.forEach(
          (m, p) ->
              assignors
                  .get(m)
                  .onAssignment(
                      new Assignment(p),
                      new ConsumerGroupMetadata("g", generation, m, Optional.empty())));
      current = next;
      return next;
    }
  }

  @Test
  void eagerStickyWithIdenticalSubscriptionsMovesOnlyWhatBalanceRequires() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(1000 + seed);
      Map<String, Integer> topics = randomTopics(random);
      List<String> all = new ArrayList<>(topics.keySet());
      EagerGroup group = new EagerGroup();
      int nextId = 0;
      for (int i = 0; i < 1 + random.nextInt(4); i++) {
        group.assignors.put("m" + nextId, new StickyAssignor());
        group.topics.put("m" + nextId++, all);
      }
      group.rebalance(topics);
      for (int step = 0; step < 12; step++) {
        String context = "seed " + (1000 + seed) + " step " + step;
        Map<String, List<TopicPartition>> before = group.current;
        int event = random.nextInt(3);
        if (event == 0 || group.assignors.size() == 1) {
          String joiner = "m" + nextId++;
          group.assignors.put(joiner, new StickyAssignor());
          group.topics.put(joiner, all);
          Map<String, List<TopicPartition>> after = group.rebalance(topics);
          assertValid(context, topics, group.subscriptions(), after, true);
          assertMaxMinusMinAtMostOne(context, after);
          before.forEach(
              (m, owned) ->
                  assertTrue(
                      owned.containsAll(after.get(m)),
                      context + ": " + m + " gained partitions when " + joiner + " joined"));
        } else if (event == 1) {
          List<String> ids = new ArrayList<>(group.assignors.keySet());
          String leaver = ids.get(random.nextInt(ids.size()));
          group.assignors.remove(leaver);
          group.topics.remove(leaver);
          Map<String, List<TopicPartition>> after = group.rebalance(topics);
          assertValid(context, topics, group.subscriptions(), after, true);
          assertMaxMinusMinAtMostOne(context, after);
          after.forEach(
              (m, now) ->
                  assertTrue(
                      now.containsAll(before.get(m)),
                      context + ": " + m + " lost partitions when " + leaver + " left"));
        } else {
          Map<String, List<TopicPartition>> after = group.rebalance(topics);
          assertEquals(before, after, context + ": a rebalance with no change moved partitions");
        }
      }
    }
  }

  @Test
  void eagerStickyWithDifferentSubscriptionsStaysValidBalancedAndStable() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(2000 + seed);
      Map<String, Integer> topics = randomTopics(random);
      EagerGroup group = new EagerGroup();
      int nextId = 0;
      for (int step = 0; step < 12; step++) {
        String context = "seed " + (2000 + seed) + " step " + step;
        int event = random.nextInt(4);
        if (event == 0 || group.assignors.size() < 2) {
          group.assignors.put("m" + nextId, new StickyAssignor());
          group.topics.put("m" + nextId++, randomSubset(random, topics.keySet()));
        } else if (event == 1) {
          List<String> ids = new ArrayList<>(group.assignors.keySet());
          String leaver = ids.get(random.nextInt(ids.size()));
          group.assignors.remove(leaver);
          group.topics.remove(leaver);
        } else if (event == 2) {
          List<String> ids = new ArrayList<>(group.assignors.keySet());
          group.topics.put(
              ids.get(random.nextInt(ids.size())), randomSubset(random, topics.keySet()));
        } else {
          String topic = new ArrayList<>(topics.keySet()).get(random.nextInt(topics.size()));
          topics.put(topic, topics.get(topic) + 1 + random.nextInt(3));
        }
        Map<String, List<TopicPartition>> after = group.rebalance(topics);
        Map<String, Subscription> subs = group.subscriptions();
        assertValid(context, topics, subs, after, true);
        assertKafkaBalanced(context, subs, after);
        assertEquals(after, group.rebalance(topics), context + ": not a fixed point");
      }
    }
  }

  // ------------------------------------------------------------------ cooperative over time

  /** A cooperative group: owned partitions and generation travel in the subscription. */
  private static final class CooperativeGroup {
    final Map<String, List<String>> topics = new TreeMap<>();
    final Map<String, Set<TopicPartition>> owned = new TreeMap<>();
    final Map<String, Integer> memberGeneration = new TreeMap<>();
    final CooperativeStickyAssignor leader = new CooperativeStickyAssignor();
    int generation = 0;

    void join(String member, List<String> subscribed) {
      topics.put(member, subscribed);
      owned.put(member, new TreeSet<>());
      memberGeneration.put(member, -1);
    }

    void leave(String member) {
      topics.remove(member);
      owned.remove(member);
      memberGeneration.remove(member);
    }

    Map<String, Subscription> subscriptions() {
      Map<String, Subscription> out = new TreeMap<>();
      topics.forEach(
          (m, t) ->
              out.put(
                  m,
                  roundTrip(
                      new Subscription(
                          t,
                          null,
                          new ArrayList<>(owned.get(m)),
                          memberGeneration.get(m),
                          Optional.empty()))));
      return out;
    }

    /**
     * Rebalances until no member revokes anything (KIP-429: a member that revoked rejoins); checks
     * the cooperative invariant on every round; returns the number of rounds.
     */
    int rebalanceUntilStable(String context, Map<String, Integer> partitionsPerTopic) {
      return rebalanceUntilStable(context, partitionsPerTopic, null);
    }

    /**
     * As above; {@code straggler} (if not null) misses the first round's assignment: it keeps its
     * partitions and its older generation, and rejoins.
     */
    int rebalanceUntilStable(
        String context, Map<String, Integer> partitionsPerTopic, String straggler) {
      for (int round = 1; round <= 5; round++) {
        generation++;
        Map<String, Subscription> subs = subscriptions();
        Map<String, List<TopicPartition>> next = assign(leader, partitionsPerTopic, subs);
        String ctx = context + " round " + round;
        assertValid(ctx, partitionsPerTopic, subs, next, false);
        // A partition another member still holds may only go to the holder of the newest
        // generation (a zombie's stale claim never wins over a current owner).
        Map<TopicPartition, List<String>> holders = new HashMap<>();
        owned.forEach(
            (m, ps) -> ps.forEach(p -> holders.computeIfAbsent(p, x -> new ArrayList<>()).add(m)));
        next.forEach(
            (m, ps) -> {
              for (TopicPartition p : ps) {
                for (String other : holders.getOrDefault(p, List.of())) {
                  if (!other.equals(m)) {
                    assertTrue(
                        holders.get(p).contains(m)
                            && memberGeneration.get(m) > memberGeneration.get(other),
                        ctx
                            + ": "
                            + p
                            + " given to "
                            + m
                            + " (generation "
                            + memberGeneration.get(m)
                            + ") while "
                            + other
                            + " (generation "
                            + memberGeneration.get(other)
                            + ") still owns it");
                  }
                }
              }
            });
        boolean revoked = false;
        for (Map.Entry<String, List<TopicPartition>> e : next.entrySet()) {
          if (round == 1 && e.getKey().equals(straggler)) {
            revoked = true;
            continue;
          }
          Set<TopicPartition> mine = owned.get(e.getKey());
          revoked |= !e.getValue().containsAll(mine);
          mine.clear();
          mine.addAll(e.getValue());
          memberGeneration.put(e.getKey(), generation);
        }
        if (!revoked) {
          assertValid(ctx + " (stable)", partitionsPerTopic, subs, next, true);
          return round;
        }
      }
      fail(context + ": no stable assignment after 5 rebalances");
      return -1;
    }

    Map<String, List<TopicPartition>> current() {
      Map<String, List<TopicPartition>> out = new TreeMap<>();
      owned.forEach((m, ps) -> out.put(m, new ArrayList<>(ps)));
      return out;
    }
  }

  @Test
  void cooperativeNeverMovesAPartitionWithinOneGenerationAndConverges() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(3000 + seed);
      Map<String, Integer> topics = randomTopics(random);
      boolean identical = random.nextBoolean();
      List<String> all = new ArrayList<>(topics.keySet());
      CooperativeGroup group = new CooperativeGroup();
      int nextId = 0;
      for (int step = 0; step < 12; step++) {
        String context = "seed " + (3000 + seed) + " step " + step;
        int event = random.nextInt(identical ? 4 : 5);
        if (group.topics.size() < 2) {
          event = 0;
        }
        if (event == 3) {
          // A zombie: a member dropped from the group (session timeout) comes back still
          // claiming what it owned, with its old generation, after others took its partitions.
          List<String> ids = new ArrayList<>(group.topics.keySet());
          String zombie = ids.get(random.nextInt(ids.size()));
          List<String> itsTopics = group.topics.get(zombie);
          Set<TopicPartition> itsPartitions = new TreeSet<>(group.owned.get(zombie));
          int itsGeneration = group.memberGeneration.get(zombie);
          group.leave(zombie);
          group.rebalanceUntilStable(context + " (" + zombie + " dropped)", topics);
          group.join(zombie, itsTopics);
          group.owned.get(zombie).addAll(itsPartitions);
          group.memberGeneration.put(zombie, itsGeneration);
        }
        if (event == 0) {
          group.join("m" + nextId++, identical ? all : randomSubset(random, topics.keySet()));
        } else if (event == 1) {
          List<String> ids = new ArrayList<>(group.topics.keySet());
          group.leave(ids.get(random.nextInt(ids.size())));
        } else if (event == 2) {
          String topic = all.get(random.nextInt(all.size()));
          topics.put(topic, topics.get(topic) + 1 + random.nextInt(3));
        } else if (event == 4) {
          List<String> ids = new ArrayList<>(group.topics.keySet());
          group.topics.put(
              ids.get(random.nextInt(ids.size())), randomSubset(random, topics.keySet()));
        }
        Map<String, List<TopicPartition>> before = group.current();
        // Now and then a member misses an assignment and comes back with an older generation.
        String straggler = null;
        if (random.nextInt(4) == 0) {
          List<String> ids = new ArrayList<>(group.topics.keySet());
          straggler = ids.get(random.nextInt(ids.size()));
        }
        String ctx = straggler == null ? context : context + " (" + straggler + " misses a round)";
        int rounds = group.rebalanceUntilStable(ctx, topics, straggler);
        int allowed = (identical ? 2 : 3) + (straggler == null ? 0 : 2);
        assertTrue(rounds <= allowed, ctx + ": took " + rounds + " rebalances");
        Map<String, List<TopicPartition>> after = group.current();
        Map<String, Subscription> subs = group.subscriptions();
        if (identical) {
          assertMaxMinusMinAtMostOne(ctx, after);
        } else {
          assertKafkaBalanced(ctx, subs, after);
        }
        if (identical && event == 1 && straggler == null) {
          after.forEach(
              (m, now) ->
                  assertTrue(
                      now.containsAll(before.get(m)),
                      ctx + ": " + m + " lost partitions when a member left"));
        }
        assertEquals(1, group.rebalanceUntilStable(ctx + " again", topics), ctx);
        assertEquals(after, group.current(), ctx + ": a rebalance with no change moved");
      }
    }
  }
}
