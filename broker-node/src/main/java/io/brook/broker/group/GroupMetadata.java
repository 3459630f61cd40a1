package io.brook.broker.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.ConsumerProtocolSubscription;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.JoinGroupMember;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.MemberMetadataValue;
import io.brook.protocol.v1.OffsetCommitValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One classic group as its coordinator holds it (Kafka's {@code GroupMetadata}): state, generation,
 * members, the chosen protocol and leader, and the group's committed offsets.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>{@code state} changes only along {@link GroupState#validPreviousStates()}; {@link
 *       #currentStateTimestamp} is the wall-clock time of the last change.
 *   <li>{@code leaderId} is null iff there are no members, else a member's id.
 *   <li>{@code staticMembers} maps every static member's instance id to its current member id.
 *   <li>{@code protocolName} is non-empty iff the group is CompletingRebalance or Stable (or loaded
 *       Stable); every member supports it.
 *   <li>{@code offsets} hold only commits whose append completed with NONE; commits being appended
 *       are in {@code pendingOffsetCommits} and invisible to OffsetFetch.
 * </ul>
 *
 * <p>Thread rules: not thread-safe; guarded by the {@link GroupCoordinator}'s lock.
 */
final class GroupMetadata {
  static final String CONSUMER_PROTOCOL_TYPE = "consumer";

  /** A committed offset and the order of its append (a later append wins). */
  record CommittedOffset(OffsetCommitValue value, long appendSeq) {}

  final String groupId;
  final int partition;
  GroupState state;
  long currentStateTimestamp;
  String protocolType = "";
  int generationId;
  String protocolName = "";
  String leaderId;

  final LinkedHashMap<String, MemberMetadata> members = new LinkedHashMap<>();
  final Map<String, String> staticMembers = new HashMap<>();

  /** Member ids handed out with MEMBER_ID_REQUIRED whose second JoinGroup has not come yet. */
  final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();

  /** Set when a member joins during the initial delayed rebalance of a new group. */
  boolean newMemberAdded;

  /** The timer of the current rebalance (DelayedJoin / InitialDelayedJoin), or null. */
  ScheduledFuture<?> joinTimer;

  /** Incremented whenever {@link #joinTimer} is replaced or cancelled: stale timers do nothing. */
  long joinTimerSeq;

  /** True while the join timer is the initial delay of a new group (only it completes the join). */
  boolean initialJoinDelay;

  /** Topics the members subscribe to (consumer groups), or null when unknown. */
  Set<String> subscribedTopics;

  final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();

  /** Partition -> the append sequence of its latest commit being appended. */
  final Map<TopicPartition, Long> pendingOffsetCommits = new HashMap<>();

  GroupMetadata(String groupId, int partition, GroupState initialState, long nowMs) {
    this.groupId = groupId;
    this.partition = partition;
    this.state = initialState;
    this.currentStateTimestamp = nowMs;
  }

  boolean is(GroupState s) {
    return state == s;
  }

  /**
   * Kafka's {@code canRebalance}: a rebalance may start from Stable, CompletingRebalance, Empty.
   */
  boolean canRebalance() {
    return GroupState.PREPARING_REBALANCE.validPreviousStates().contains(state);
  }

  void transitionTo(GroupState target, long nowMs) {
    if (!target.validPreviousStates().contains(state)) {
      throw new IllegalStateException(
          "Group "
              + groupId
              + " should be in one of "
              + target.validPreviousStates()
              + " before moving to "
              + target
              + ", but it is "
              + state);
    }
    state = target;
    currentStateTimestamp = nowMs;
  }

  boolean has(String memberId) {
    return members.containsKey(memberId);
  }

  MemberMetadata get(String memberId) {
    return members.get(memberId);
  }

  boolean isPendingMember(String memberId) {
    return pendingMembers.containsKey(memberId);
  }

  boolean isLeader(String memberId) {
    return memberId.equals(leaderId);
  }

  int size() {
    return members.size();
  }

  boolean isEmptyOfMembers() {
    return members.isEmpty();
  }

  /** The member id of the static member {@code groupInstanceId}, or null. */
  String staticMemberId(String groupInstanceId) {
    return staticMembers.get(groupInstanceId);
  }

  void add(MemberMetadata member) {
    if (members.isEmpty()) {
      protocolType = member.protocolType;
    }
    members.put(member.memberId, member);
    if (member.isStaticMember()) {
      staticMembers.put(member.groupInstanceId, member.memberId);
    }
    if (leaderId == null) {
      leaderId = member.memberId;
    }
  }

  void remove(String memberId) {
    MemberMetadata m = members.remove(memberId);
    if (m != null && m.isStaticMember() && memberId.equals(staticMembers.get(m.groupInstanceId))) {
      staticMembers.remove(m.groupInstanceId);
    }
    if (isLeader(memberId)) {
      leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
    }
  }

  /**
   * Gives the static member's entry to {@code newMemberId} (the same {@link MemberMetadata},
   * renamed), keeping its assignment and leadership. The caller fences the old id's waiting
   * requests.
   */
  MemberMetadata replaceStaticMember(String groupInstanceId, String oldMemberId, String newId) {
    MemberMetadata m = members.remove(oldMemberId);
    if (m == null) {
      throw new IllegalArgumentException("no member " + oldMemberId + " in group " + groupId);
    }
    m.memberId = newId;
    members.put(newId, m);
    if (oldMemberId.equals(leaderId)) {
      leaderId = newId;
    }
    staticMembers.put(groupInstanceId, newId);
    return m;
  }

  int numAwaitingJoin() {
    int n = 0;
    for (MemberMetadata m : members.values()) {
      if (m.isAwaitingJoin()) {
        n++;
      }
    }
    return n;
  }

  /** Every known member has rejoined and no member id handed out is still expected. */
  boolean hasAllMembersJoined() {
    return members.size() == numAwaitingJoin() && pendingMembers.isEmpty();
  }

  List<MemberMetadata> notYetRejoinedMembers() {
    List<MemberMetadata> r = new ArrayList<>();
    for (MemberMetadata m : members.values()) {
      if (!m.isAwaitingJoin()) {
        r.add(m);
      }
    }
    return r;
  }

  /** The longest rebalance timeout of the members: how long a rebalance waits for them. */
  int rebalanceTimeoutMs() {
    int t = 0;
    for (MemberMetadata m : members.values()) {
      t = Math.max(t, m.rebalanceTimeoutMs);
    }
    return t;
  }

  /**
   * If the leader has not rejoined, makes the first member that did the leader. False when no
   * member has rejoined (or there are none).
   */
  boolean maybeElectNewJoinedLeader() {
    if (leaderId == null) {
      return false;
    }
    MemberMetadata leader = members.get(leaderId);
    if (leader != null && leader.isAwaitingJoin()) {
      return true;
    }
    for (MemberMetadata m : members.values()) {
      if (m.isAwaitingJoin()) {
        leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** The protocols every member supports (in the first member's order of preference). */
  Set<String> candidateProtocols() {
    Set<String> candidates = null;
    for (MemberMetadata m : members.values()) {
      if (candidates == null) {
        candidates = new LinkedHashSet<>(m.protocolNames());
      } else {
        candidates.retainAll(m.protocolNames());
      }
    }
    return candidates == null ? new LinkedHashSet<>() : candidates;
  }

  /**
   * Kafka's {@code supportsProtocols}: an empty group accepts any non-empty protocol type and list;
   * otherwise the type must match and one of {@code protocols} must be supported by every member.
   */
  boolean supportsProtocols(String memberProtocolType, List<JoinGroupProtocol> protocols) {
    if (memberProtocolType.isEmpty() || protocols.isEmpty()) {
      return false;
    }
    if (is(GroupState.EMPTY) && members.isEmpty()) {
      return true;
    }
    if (!memberProtocolType.equals(protocolType)) {
      return false;
    }
    Set<String> candidates = candidateProtocols();
    for (JoinGroupProtocol p : protocols) {
      if (candidates.contains(p.getName())) {
        return true;
      }
    }
    return members.isEmpty();
  }

  /**
   * The protocol for the next generation: among those every member supports, the one most members
   * prefer (each votes for its first candidate); ties go to the earlier candidate in the first
   * member's order.
   */
  String selectProtocol() {
    if (members.isEmpty()) {
      throw new IllegalStateException("Cannot select protocol for empty group " + groupId);
    }
    Set<String> candidates = candidateProtocols();
    Map<String, Integer> votes = new LinkedHashMap<>();
    for (String c : candidates) {
      votes.put(c, 0);
    }
    for (MemberMetadata m : members.values()) {
      votes.merge(m.vote(candidates), 1, Integer::sum);
    }
    String best = null;
    int bestVotes = -1;
    for (Map.Entry<String, Integer> e : votes.entrySet()) {
      if (e.getValue() > bestVotes) {
        best = e.getKey();
        bestVotes = e.getValue();
      }
    }
    return best;
  }

  /** Starts the next generation: CompletingRebalance with a protocol, or Empty without members. */
  void initNextGeneration(long nowMs) {
    generationId++;
    if (!members.isEmpty()) {
      protocolName = selectProtocol();
      subscribedTopics = computeSubscribedTopics();
      transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
    } else {
      protocolName = "";
      subscribedTopics = computeSubscribedTopics();
      transitionTo(GroupState.EMPTY, nowMs);
    }
  }

  /**
   * The union of the members' subscribed topics for a consumer group; null when not a consumer
   * group or a member's metadata does not parse.
   */
  Set<String> computeSubscribedTopics() {
    if (!CONSUMER_PROTOCOL_TYPE.equals(protocolType)) {
      return null;
    }
    if (members.isEmpty()) {
      return Set.of();
    }
    if (protocolName.isEmpty()) {
      return null;
    }
    Set<String> topics = new HashSet<>();
    for (MemberMetadata m : members.values()) {
      try {
        topics.addAll(
            ConsumerProtocolSubscription.parseFrom(m.metadata(protocolName)).getTopicsList());
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        return null;
      }
    }
    return topics;
  }

  boolean isSubscribedToTopic(String topic) {
    return subscribedTopics != null && subscribedTopics.contains(topic);
  }

  /** The members with their metadata for the chosen protocol: the leader's JoinGroup response. */
  List<JoinGroupMember> currentMemberMetadata() {
    List<JoinGroupMember> r = new ArrayList<>(members.size());
    for (MemberMetadata m : members.values()) {
      r.add(
          JoinGroupMember.newBuilder()
              .setMemberId(m.memberId)
              .setGroupInstanceId(m.groupInstanceId)
              .setMetadata(m.metadata(protocolName))
              .build());
    }
    return r;
  }

  /** The group's record value, with {@code assignment} (member id -> bytes) for its members. */
  GroupMetadataValue toValue(Map<String, ByteString> assignment) {
    GroupMetadataValue.Builder b =
        GroupMetadataValue.newBuilder()
            .setProtocolType(protocolType)
            .setGeneration(generationId)
            .setProtocol(protocolName)
            .setLeader(leaderId == null ? "" : leaderId)
            .setCurrentStateTimestamp(currentStateTimestamp);
    for (MemberMetadata m : members.values()) {
      b.addMembers(
          MemberMetadataValue.newBuilder()
              .setMemberId(m.memberId)
              .setGroupInstanceId(m.groupInstanceId)
              .setClientId(m.clientId)
              .setClientHost(m.clientHost)
              .setRebalanceTimeoutMs(m.rebalanceTimeoutMs)
              .setSessionTimeoutMs(m.sessionTimeoutMs)
              .setSubscription(protocolName.isEmpty() ? ByteString.EMPTY : m.metadata(protocolName))
              .setAssignment(assignment.getOrDefault(m.memberId, ByteString.EMPTY)));
    }
    return b.build();
  }

  // ------------------------------------------------------------------ offsets

  boolean hasOffsets() {
    return !offsets.isEmpty() || !pendingOffsetCommits.isEmpty();
  }

  OffsetCommitValue offset(TopicPartition tp) {
    CommittedOffset c = offsets.get(tp);
    return c == null ? null : c.value();
  }

  void prepareOffsetCommit(TopicPartition tp, long appendSeq) {
    pendingOffsetCommits.put(tp, appendSeq);
  }

  /** The append of {@code value} (sequence {@code appendSeq}) completed: make it visible. */
  void onOffsetCommitAppend(TopicPartition tp, OffsetCommitValue value, long appendSeq) {
    CommittedOffset current = offsets.get(tp);
    if (current == null || current.appendSeq() < appendSeq) {
      offsets.put(tp, new CommittedOffset(value, appendSeq));
    }
    clearPending(tp, appendSeq);
  }

  /** The append failed: the offset never becomes visible. */
  void failPendingOffsetWrite(TopicPartition tp, long appendSeq) {
    clearPending(tp, appendSeq);
  }

  private void clearPending(TopicPartition tp, long appendSeq) {
    Long latest = pendingOffsetCommits.get(tp);
    if (latest != null && latest == appendSeq) {
      pendingOffsetCommits.remove(tp);
    }
  }

  /** Removes the offsets of {@code partitions}; returns those that existed. */
  List<TopicPartition> removeOffsets(Collection<TopicPartition> partitions) {
    List<TopicPartition> removed = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      pendingOffsetCommits.remove(tp);
      if (offsets.remove(tp) != null) {
        removed.add(tp);
      }
    }
    return removed;
  }

  List<TopicPartition> removeAllOffsets() {
    return removeOffsets(new ArrayList<>(offsets.keySet()));
  }

  /**
   * Kafka's {@code removeExpiredOffsets} selection: the offsets older than {@code retentionMs}
   * without a pending commit. An Empty group with a protocol type counts from the time it became
   * Empty; a Stable consumer group expires only offsets of topics it does not subscribe to, from
   * their commit time; a group without a protocol type (commits only) from the commit time.
   */
  List<TopicPartition> expiredOffsets(long nowMs, long retentionMs) {
    List<TopicPartition> r = new ArrayList<>();
    boolean emptyWithProtocol = !protocolType.isEmpty() && is(GroupState.EMPTY);
    boolean stableConsumer =
        CONSUMER_PROTOCOL_TYPE.equals(protocolType)
            && subscribedTopics != null
            && is(GroupState.STABLE);
    boolean simple = protocolType.isEmpty();
    if (!emptyWithProtocol && !stableConsumer && !simple) {
      return r;
    }
    for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
      TopicPartition tp = e.getKey();
      OffsetCommitValue v = e.getValue().value();
      if (pendingOffsetCommits.containsKey(tp)) {
        continue;
      }
      if (stableConsumer && subscribedTopics.contains(tp.topic())) {
        continue;
      }
      boolean expired;
      if (v.getExpireTimestamp() >= 0) {
        expired = nowMs >= v.getExpireTimestamp();
      } else {
        long base = emptyWithProtocol ? currentStateTimestamp : v.getCommitTimestamp();
        expired = nowMs - base >= retentionMs;
      }
      if (expired) {
        r.add(tp);
      }
    }
    return r;
  }

  @Override
  public String toString() {
    return "GroupMetadata(groupId="
        + groupId
        + ", generation="
        + generationId
        + ", protocolType="
        + protocolType
        + ", currentState="
        + state
        + ", members="
        + members.values()
        + ")";
  }
}
