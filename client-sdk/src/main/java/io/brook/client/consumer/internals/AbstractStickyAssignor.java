package io.brook.client.consumer.internals;

import io.brook.client.consumer.internals.StickyAssignorUserData.MemberData;
import io.brook.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The algorithm shared by the sticky assignors, after Kafka's {@code AbstractStickyAssignor}: an
 * assignment that is as balanced as possible and, within that, moves as few partitions as possible
 * from their previous owners.
 *
 * <p>What a member previously owned comes from {@link #memberData}: the eager {@code
 * StickyAssignor} decodes it from the user data, {@code CooperativeStickyAssignor} reads the
 * subscription's owned partitions and generation. Claims are validated first, as Kafka does:
 *
 * <ul>
 *   <li>partitions of topics that no longer exist (or that the claiming member no longer subscribes
 *       to) and partition numbers beyond the topic's count are dropped;
 *   <li>when every member subscribes to the same topics, only members of the highest generation
 *       keep their claims (a member of an older generation was fenced and its partitions given away
 *       since); otherwise, each partition goes to its claimant of the highest generation;
 *   <li>a partition claimed by two members of the same (highest) generation belongs to neither
 *       (logged as an error: two owners in one generation is a bug somewhere) and is reassigned.
 * </ul>
 *
 * <p>Then one of two algorithms:
 *
 * <ul>
 *   <li><b>constrained</b> (every member subscribes to the same topics): with {@code P} partitions
 *       and {@code N} members, {@code P % N} members get {@code ceil(P/N)} partitions and the rest
 *       {@code floor(P/N)}. Members keep their valid owned partitions up to their quota (the
 *       members owning the most get the larger quotas), the members under the lower quota are
 *       filled from the unowned partitions one at a time in member id order, and the rest go one
 *       each to the members still at the lower quota. Every partition that moves had to move for
 *       balance.
 *   <li><b>general</b> (subscriptions differ): valid claims are kept, unowned partitions are given,
 *       fewest eligible members first, to the least loaded eligible member (ties: the member that
 *       owned it in an older generation, then member id), then partitions move one at a time from a
 *       member to an eligible member with at least two fewer partitions (partitions the member did
 *       not own before move first) until no such move exists: Kafka's definition of balanced.
 * </ul>
 *
 * <p>Deterministic: the result depends only on the arguments (members and partitions are visited in
 * sorted order). The assignment itself is stateless; subclasses keep the member-side state they put
 * in the user data and say their own thread rules.
 */
public abstract class AbstractStickyAssignor extends AbstractPartitionAssignor {
  private static final Logger LOG = LogManager.getLogger(AbstractStickyAssignor.class);

  public static final int DEFAULT_GENERATION = -1;

  /** What {@code subscription}'s member claims to own, and in which generation. */
  protected abstract MemberData memberData(Subscription subscription);

  @Override
  public Map<String, List<TopicPartition>> assign(
      Map<String, Integer> partitionsPerTopic, Map<String, Subscription> subscriptions) {
    if (subscriptions.isEmpty()) {
      return new HashMap<>();
    }
    Map<String, Subscription> members = new TreeMap<>(subscriptions);
    ValidClaims claims = validClaims(partitionsPerTopic, members);
    Map<String, List<TopicPartition>> assignment;
    if (allSubscriptionsEqual(members)) {
      LOG.debug("All members subscribe to the same topics: constrained assignment");
      assignment = constrainedAssign(partitionsPerTopic, members.keySet(), claims.owned());
    } else {
      LOG.debug("Members subscribe to different topics: general assignment");
      assignment = generalAssign(partitionsPerTopic, members, claims);
    }
    adjustAssignment(assignment, members, claims);
    return assignment;
  }

  /**
   * A subclass's last word on the balanced sticky {@code assignment} (mutable lists, one per
   * member), knowing the claims it honoured: the cooperative assignor withholds partitions moving
   * between owners. Does nothing by default.
   */
  protected void adjustAssignment(
      Map<String, List<TopicPartition>> assignment,
      Map<String, Subscription> subscriptions,
      ValidClaims claims) {}

  /**
   * What each member validly owns (see the class javadoc: existing partitions of topics it
   * subscribes to, generation rules, no partition claimed twice in the same generation) and, for
   * partitions also claimed in an older generation, that previous owner.
   */
  public record ValidClaims(
      Map<String, List<TopicPartition>> owned, Map<TopicPartition, String> previousOwner) {}

  /** The claims of {@code subscriptions} that the assignment honours. */
  private ValidClaims validClaims(
      Map<String, Integer> partitionsPerTopic, Map<String, Subscription> subscriptions) {
    Map<String, Subscription> members = new TreeMap<>(subscriptions);
    Map<String, MemberData> claims = new TreeMap<>();
    members.forEach((m, s) -> claims.put(m, memberData(s)));
    if (allSubscriptionsEqual(members)) {
      return new ValidClaims(
          validClaimsOfHighestGeneration(partitionsPerTopic, claims), new HashMap<>());
    }
    return validClaimsByPartition(partitionsPerTopic, members, claims);
  }

  private static boolean allSubscriptionsEqual(Map<String, Subscription> members) {
    Set<String> first = null;
    for (Subscription s : members.values()) {
      Set<String> topics = new HashSet<>(s.topics());
      if (first == null) {
        first = topics;
      } else if (!first.equals(topics)) {
        return false;
      }
    }
    return true;
  }

  private static boolean exists(TopicPartition tp, Map<String, Integer> partitionsPerTopic) {
    Integer count = partitionsPerTopic.get(tp.topic());
    return count != null && tp.partition() >= 0 && tp.partition() < count;
  }

  /**
   * The claims of the members of the highest generation (absent generation counts as {@link
   * #DEFAULT_GENERATION}), minus partitions that do not exist and partitions claimed twice.
   */
  private static Map<String, List<TopicPartition>> validClaimsOfHighestGeneration(
      Map<String, Integer> partitionsPerTopic, Map<String, MemberData> claims) {
    int maxGeneration = DEFAULT_GENERATION;
    for (MemberData d : claims.values()) {
      maxGeneration = Math.max(maxGeneration, d.generation().orElse(DEFAULT_GENERATION));
    }
    Map<String, List<TopicPartition>> valid = new TreeMap<>();
    Map<TopicPartition, String> owner = new HashMap<>();
    Set<TopicPartition> claimedTwice = new TreeSet<>(PARTITION_ORDER);
    for (Map.Entry<String, MemberData> e : claims.entrySet()) {
      String member = e.getKey();
      MemberData d = e.getValue();
      List<TopicPartition> owned = new ArrayList<>();
      valid.put(member, owned);
      if (d.generation().orElse(DEFAULT_GENERATION) != maxGeneration) {
        if (!d.partitions().isEmpty()) {
          LOG.debug(
              "Ignoring the partitions claimed by {} of generation {}: the highest is {}",
              member,
              d.generation().orElse(DEFAULT_GENERATION),
              maxGeneration);
        }
        continue;
      }
      for (TopicPartition tp : new TreeSet<>(d.partitions())) {
        if (!exists(tp, partitionsPerTopic)) {
          continue;
        }
        String other = owner.putIfAbsent(tp, member);
        if (other == null) {
          owned.add(tp);
        } else {
          claimedTwice.add(tp);
        }
      }
    }
    if (!claimedTwice.isEmpty()) {
      LOG.error(
          "Found multiple consumers claiming the same partitions {} in the same generation {};"
              + " they are invalidated and removed from their previous assignment",
          claimedTwice,
          maxGeneration);
      valid.values().forEach(l -> l.removeAll(claimedTwice));
    }
    return valid;
  }

  private static Map<String, List<TopicPartition>> constrainedAssign(
      Map<String, Integer> partitionsPerTopic,
      Set<String> memberIds,
      Map<String, List<TopicPartition>> validOwned) {
    TreeSet<TopicPartition> unassigned = new TreeSet<>(PARTITION_ORDER);
    partitionsPerTopic.forEach((t, n) -> unassigned.addAll(partitions(t, n)));
    int numMembers = memberIds.size();
    int total = unassigned.size();
    int minQuota = total / numMembers;
    int maxQuota = (total + numMembers - 1) / numMembers;
    int expectedMembersAtMaxQuota = total % numMembers;

    Map<String, List<TopicPartition>> assignment = new TreeMap<>();
    memberIds.forEach(m -> assignment.put(m, new ArrayList<>(maxQuota)));

    // The larger quotas go to the members owning the most, so the fewest partitions move.
    List<String> byOwnedDescending = new ArrayList<>(memberIds);
    byOwnedDescending.sort(
        Comparator.comparingInt((String m) -> -validOwned.get(m).size())
            .thenComparing(Comparator.naturalOrder()));
    int membersAtMaxQuota = 0;
    for (String member : byOwnedDescending) {
      List<TopicPartition> owned = validOwned.get(member);
      int quota = minQuota;
      if (owned.size() > minQuota && membersAtMaxQuota < expectedMembersAtMaxQuota) {
        quota = maxQuota;
        membersAtMaxQuota++;
      }
      for (TopicPartition tp : owned.subList(0, Math.min(quota, owned.size()))) {
        assignment.get(member).add(tp);
        unassigned.remove(tp);
      }
    }

    // Fill the members under the lower quota, one partition each per turn, in member id order.
    List<String> unfilled = new ArrayList<>();
    for (String member : memberIds) {
      if (assignment.get(member).size() < minQuota) {
        unfilled.add(member);
      }
    }
    while (!unfilled.isEmpty()) {
      for (var it = unfilled.iterator(); it.hasNext(); ) {
        String member = it.next();
        List<TopicPartition> a = assignment.get(member);
        a.add(unassigned.pollFirst());
        if (a.size() == minQuota) {
          it.remove();
        }
      }
    }

    // Exactly expectedMembersAtMaxQuota - membersAtMaxQuota partitions remain: one each to the
    // members at the lower quota.
    for (String member : memberIds) {
      if (unassigned.isEmpty()) {
        break;
      }
      List<TopicPartition> a = assignment.get(member);
      if (a.size() == minQuota) {
        a.add(unassigned.pollFirst());
      }
    }
    if (!unassigned.isEmpty()) {
      throw new IllegalStateException(
          "Partitions " + unassigned + " left unassigned with every member at its quota");
    }
    return assignment;
  }

  /** Who may own each partition: the members subscribed to its topic, in id order. */
  private static Map<TopicPartition, List<String>> potentialConsumers(
      Map<String, Integer> partitionsPerTopic, Map<String, Subscription> members) {
    Map<TopicPartition, List<String>> potentialConsumers = new TreeMap<>(PARTITION_ORDER);
    partitionsPerTopic.forEach(
        (topic, n) -> {
          List<String> subscribers = new ArrayList<>();
          members.forEach(
              (m, s) -> {
                if (s.topics().contains(topic)) {
                  subscribers.add(m);
                }
              });
          if (!subscribers.isEmpty()) {
            partitions(topic, n).forEach(tp -> potentialConsumers.put(tp, subscribers));
          }
        });
    return potentialConsumers;
  }

  /**
   * Per partition, the claimant of the highest generation wins (if it still subscribes to the
   * topic); a tie there leaves it unowned; a lower-generation claimant is remembered as the
   * previous owner (a tie-breaker when assigning).
   */
  private static ValidClaims validClaimsByPartition(
      Map<String, Integer> partitionsPerTopic,
      Map<String, Subscription> members,
      Map<String, MemberData> claims) {
    Map<TopicPartition, List<String>> potentialConsumers =
        potentialConsumers(partitionsPerTopic, members);
    Map<TopicPartition, String> owner = new HashMap<>();
    Map<TopicPartition, Integer> ownerGeneration = new HashMap<>();
    Map<TopicPartition, String> previousOwner = new HashMap<>();
    Set<TopicPartition> claimedTwice = new TreeSet<>(PARTITION_ORDER);
    for (Map.Entry<String, MemberData> e : claims.entrySet()) {
      String member = e.getKey();
      int generation = e.getValue().generation().orElse(DEFAULT_GENERATION);
      for (TopicPartition tp : new TreeSet<>(e.getValue().partitions())) {
        if (!potentialConsumers.containsKey(tp)) {
          continue;
        }
        Integer current = ownerGeneration.get(tp);
        if (current == null || generation > current) {
          String displaced = owner.put(tp, member);
          if (displaced != null) {
            previousOwner.put(tp, displaced);
          }
          ownerGeneration.put(tp, generation);
          claimedTwice.remove(tp);
        } else if (generation == current) {
          claimedTwice.add(tp);
        } else {
          previousOwner.putIfAbsent(tp, member);
        }
      }
    }
    if (!claimedTwice.isEmpty()) {
      LOG.error(
          "Found multiple consumers claiming the same partitions {} in the same generation;"
              + " they are invalidated and removed from their previous assignment",
          claimedTwice);
      claimedTwice.forEach(owner::remove);
    }
    Map<String, List<TopicPartition>> owned = new TreeMap<>();
    members.keySet().forEach(m -> owned.put(m, new ArrayList<>()));
    new TreeMap<>(owner)
        .forEach(
            (tp, m) -> {
              // A claim on a topic the member no longer subscribes to is void.
              if (potentialConsumers.get(tp).contains(m)) {
                owned.get(m).add(tp);
              }
            });
    return new ValidClaims(owned, previousOwner);
  }

  private static Map<String, List<TopicPartition>> generalAssign(
      Map<String, Integer> partitionsPerTopic,
      Map<String, Subscription> members,
      ValidClaims claims) {
    Map<TopicPartition, List<String>> potentialConsumers =
        potentialConsumers(partitionsPerTopic, members);
    Map<TopicPartition, String> previousOwner = claims.previousOwner();
    Map<String, TreeSet<TopicPartition>> assignment = new TreeMap<>();
    Set<TopicPartition> keptFromBefore = new HashSet<>();
    claims
        .owned()
        .forEach(
            (m, ps) -> {
              assignment.put(m, new TreeSet<>(PARTITION_ORDER));
              assignment.get(m).addAll(ps);
              keptFromBefore.addAll(ps);
            });

    List<TopicPartition> unassigned = new ArrayList<>();
    for (TopicPartition tp : potentialConsumers.keySet()) {
      if (!keptFromBefore.contains(tp)) {
        unassigned.add(tp);
      }
    }
    // The most constrained partitions first, so they still find a lightly loaded member.
    unassigned.sort(
        Comparator.comparingInt((TopicPartition tp) -> potentialConsumers.get(tp).size())
            .thenComparing(PARTITION_ORDER));
    for (TopicPartition tp : unassigned) {
      String target = leastLoaded(potentialConsumers.get(tp), assignment, previousOwner.get(tp));
      assignment.get(target).add(tp);
    }

    balance(assignment, potentialConsumers, keptFromBefore, previousOwner);

    Map<String, List<TopicPartition>> out = new HashMap<>();
    assignment.forEach((m, a) -> out.put(m, new ArrayList<>(a)));
    return out;
  }

  /** The candidate with the fewest partitions; ties: {@code preferred}, then member id. */
  private static String leastLoaded(
      List<String> candidates, Map<String, TreeSet<TopicPartition>> assignment, String preferred) {
    String best = null;
    for (String m : candidates) {
      if (best == null) {
        best = m;
        continue;
      }
      int size = assignment.get(m).size();
      int bestSize = assignment.get(best).size();
      if (size < bestSize || (size == bestSize && m.equals(preferred))) {
        best = m;
      }
    }
    return best;
  }

  /**
   * Moves partitions, one at a time, from a member to an eligible member holding at least two
   * fewer, until no such move exists. Each move lowers the sum of squared member sizes, so this
   * ends.
   */
  private static void balance(
      Map<String, TreeSet<TopicPartition>> assignment,
      Map<TopicPartition, List<String>> potentialConsumers,
      Set<TopicPartition> keptFromBefore,
      Map<TopicPartition, String> previousOwner) {
    boolean moved = true;
    while (moved) {
      moved = false;
      List<String> byLoadDescending = new ArrayList<>(assignment.keySet());
      byLoadDescending.sort(
          Comparator.comparingInt((String m) -> -assignment.get(m).size())
              .thenComparing(Comparator.naturalOrder()));
      search:
      for (String from : byLoadDescending) {
        int fromSize = assignment.get(from).size();
        // Partitions this member did not own before move first: they cost no stickiness.
        List<TopicPartition> candidates = new ArrayList<>();
        List<TopicPartition> owned = new ArrayList<>();
        for (TopicPartition tp : assignment.get(from)) {
          (keptFromBefore.contains(tp) ? owned : candidates).add(tp);
        }
        // Of the owned ones, the last move first: the member keeps its first ones, as in the
        // constrained algorithm.
        Collections.reverse(owned);
        candidates.addAll(owned);
        for (TopicPartition tp : candidates) {
          List<String> eligible = new ArrayList<>();
          for (String m : potentialConsumers.get(tp)) {
            if (assignment.get(m).size() < fromSize - 1) {
              eligible.add(m);
            }
          }
          if (!eligible.isEmpty()) {
            String to = leastLoaded(eligible, assignment, previousOwner.get(tp));
            assignment.get(from).remove(tp);
            assignment.get(to).add(tp);
            keptFromBefore.remove(tp);
            moved = true;
            break search;
          }
        }
      }
    }
  }
}
