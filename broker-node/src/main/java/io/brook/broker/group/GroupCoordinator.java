package io.brook.broker.group;

import com.google.protobuf.ByteString;
import io.brook.broker.group.GroupStore.GroupRecord;
import io.brook.common.Scheduler;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.DeletableGroupResult;
import io.brook.protocol.v1.DeleteGroupsRequest;
import io.brook.protocol.v1.DeleteGroupsResponse;
import io.brook.protocol.v1.DescribeGroupsRequest;
import io.brook.protocol.v1.DescribeGroupsResponse;
import io.brook.protocol.v1.DescribedGroup;
import io.brook.protocol.v1.DescribedGroupMember;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.GroupMetadataValue;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.HeartbeatResponse;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupMemberResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.LeaveGroupResponse;
import io.brook.protocol.v1.ListGroupsRequest;
import io.brook.protocol.v1.ListGroupsResponse;
import io.brook.protocol.v1.ListedGroup;
import io.brook.protocol.v1.MemberIdentity;
import io.brook.protocol.v1.MemberMetadataValue;
import io.brook.protocol.v1.OffsetCommitPartition;
import io.brook.protocol.v1.OffsetCommitPartitionResponse;
import io.brook.protocol.v1.OffsetCommitRequest;
import io.brook.protocol.v1.OffsetCommitResponse;
import io.brook.protocol.v1.OffsetCommitTopic;
import io.brook.protocol.v1.OffsetCommitTopicResponse;
import io.brook.protocol.v1.OffsetCommitValue;
import io.brook.protocol.v1.OffsetDeletePartitionResponse;
import io.brook.protocol.v1.OffsetDeleteRequest;
import io.brook.protocol.v1.OffsetDeleteResponse;
import io.brook.protocol.v1.OffsetDeleteTopicResponse;
import io.brook.protocol.v1.OffsetFetchPartitionResponse;
import io.brook.protocol.v1.OffsetFetchRequest;
import io.brook.protocol.v1.OffsetFetchResponse;
import io.brook.protocol.v1.OffsetFetchTopic;
import io.brook.protocol.v1.OffsetFetchTopicResponse;
import io.brook.protocol.v1.SyncGroupAssignment;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The group coordinator of one broker (Kafka's classic {@code GroupCoordinator} with the cache of
 * its {@code GroupMetadataManager}): membership, generations, rebalances and committed offsets of
 * the groups whose {@code __consumer_offsets} partition this broker leads.
 *
 * <p>A rebalance: a member's JoinGroup moves the group to PreparingRebalance; the coordinator waits
 * until every known member rejoined (or the longest rebalance timeout passed: members that did not
 * rejoin are removed; a new group first waits {@code group.initial.rebalance.delay.ms}, extended
 * while members arrive), then starts the next generation (CompletingRebalance), picks a protocol
 * every member supports and answers every JoinGroup, the leader's with all members' metadata. The
 * leader's SyncGroup carries the assignment, which is stored (a GroupMetadata record) before every
 * member gets its part and the group is Stable. Heartbeats keep members; a member silent for its
 * session timeout is removed and the group rebalances.
 *
 * <p>Invariants: a group is in {@code groups} iff its partition is in {@code partitions} and
 * loaded; a committed offset is visible (OffsetFetch, retention) only once its append completed
 * with NONE; every waiting JoinGroup / SyncGroup is eventually answered (rebalance completion or
 * timeout, removal, fencing, unloading or {@link #close}).
 *
 * <p>Thread rules: every method may be called from any thread and never blocks; waits (JoinGroup,
 * SyncGroup, appends) are futures. All state is guarded by one lock ({@code lock}), also taken by
 * the scheduler's tasks and the store's completions; responses are completed while holding it.
 */
public final class GroupCoordinator implements GroupStore.Listener, AutoCloseable {
  private static final Logger log = LogManager.getLogger(GroupCoordinator.class);

  static final String OFFSETS_TOPIC = "__consumer_offsets";

  /** How long a new member may wait in its first rebalance before it is expired (Kafka's 5 min). */
  static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

  private final GroupConfig config;
  private final GroupStore store;
  private final Time time;
  private final Scheduler scheduler;
  private final Supplier<String> memberIdSuffix;
  private final Object lock = new Object();

  /** One {@code __consumer_offsets} partition this broker leads. */
  private record Ownership(int leaderEpoch, boolean loading) {}

  // @GuardedBy("lock")
  private final Map<Integer, Ownership> partitions = new HashMap<>();
  // @GuardedBy("lock")
  private final Map<String, GroupMetadata> groups = new HashMap<>();
  // @GuardedBy("lock")
  private boolean active;
  // @GuardedBy("lock")
  private boolean started;
  // @GuardedBy("lock")
  private ScheduledFuture<?> expirationTask;
  // @GuardedBy("lock")
  private long appendSeq;

  public GroupCoordinator(GroupConfig config, GroupStore store, Time time, Scheduler scheduler) {
    this(config, store, time, scheduler, () -> UUID.randomUUID().toString());
  }

  /**
   * @param memberIdSuffix the part after {@code clientId-} of new member ids (a UUID; injected so
   *     tests know the ids)
   */
  public GroupCoordinator(
      GroupConfig config,
      GroupStore store,
      Time time,
      Scheduler scheduler,
      Supplier<String> memberIdSuffix) {
    this.config = config;
    this.store = store;
    this.time = time;
    this.scheduler = scheduler;
    this.memberIdSuffix = memberIdSuffix;
  }

  /** Starts the periodic tasks (offset expiration). Fails if called twice. */
  public void startup() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("GroupCoordinator already started");
      }
      started = true;
      active = true;
      expirationTask =
          scheduler.schedule(
              "delete-expired-group-metadata",
              this::cleanupExpiredOffsets,
              config.offsetsRetentionCheckIntervalMs(),
              config.offsetsRetentionCheckIntervalMs());
      log.info("Startup complete.");
    }
  }

  /**
   * Stops: waiting JoinGroup / SyncGroup requests are answered NOT_COORDINATOR (members find the
   * new coordinator) and every group is dropped from memory. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (!active) {
        return;
      }
      active = false;
      if (expirationTask != null) {
        expirationTask.cancel(false);
      }
      for (int p : new ArrayList<>(partitions.keySet())) {
        unloadGroupsOf(p);
      }
      partitions.clear();
      log.info("Shutdown complete.");
    }
  }

  // ================================================================== JoinGroup

  /**
   * @param clientHost the member's address as the adapter saw it ("/127.0.0.1")
   */
  public CompletableFuture<JoinGroupResponse> joinGroup(JoinGroupRequest req, String clientHost) {
    CompletableFuture<JoinGroupResponse> f = new CompletableFuture<>();
    synchronized (lock) {
      String groupId = req.getGroupId();
      String memberId = req.getMemberId();
      ErrorCode status = groupStatus(groupId);
      if (status != ErrorCode.NONE) {
        f.complete(joinError(memberId, status));
        return f;
      }
      if (req.getSessionTimeoutMs() < config.groupMinSessionTimeoutMs()
          || req.getSessionTimeoutMs() > config.groupMaxSessionTimeoutMs()) {
        f.complete(
            joinError(
                memberId,
                ErrorCode.INVALID_SESSION_TIMEOUT,
                "session.timeout.ms="
                    + req.getSessionTimeoutMs()
                    + " is outside [group.min.session.timeout.ms="
                    + config.groupMinSessionTimeoutMs()
                    + ", group.max.session.timeout.ms="
                    + config.groupMaxSessionTimeoutMs()
                    + "]"));
        return f;
      }
      boolean isUnknownMember = memberId.isEmpty();
      GroupMetadata group = groups.get(groupId);
      if (group == null) {
        if (!isUnknownMember) {
          f.complete(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
          return f;
        }
        group = new GroupMetadata(groupId, store.partitionFor(groupId), GroupState.EMPTY, wallMs());
        groups.put(groupId, group);
      }
      if (!acceptJoiningMember(group, memberId)) {
        MemberMetadata existing = group.get(memberId);
        if (existing != null) {
          removeMemberAndUpdateGroup(group, existing, "member rejected: group.max.size reached");
        } else {
          removePendingMember(group, memberId);
        }
        f.complete(
            joinError(
                "",
                ErrorCode.GROUP_MAX_SIZE_REACHED,
                "group "
                    + groupId
                    + " already has group.max.size="
                    + config.groupMaxSize()
                    + " members"));
      } else if (isUnknownMember) {
        doNewMemberJoinGroup(group, req, clientHost, f);
      } else {
        doCurrentMemberJoinGroup(group, req, clientHost, f);
      }
      if (group.is(GroupState.PREPARING_REBALANCE)) {
        tryCompleteJoin(group);
      }
    }
    return f;
  }

  private boolean acceptJoiningMember(GroupMetadata group, String memberId) {
    return switch (group.state) {
      case EMPTY, DEAD -> true;
      case PREPARING_REBALANCE -> {
        MemberMetadata m = group.get(memberId);
        yield (m != null && m.isAwaitingJoin()) || group.numAwaitingJoin() < config.groupMaxSize();
      }
      default ->
          group.has(memberId)
              || group.isPendingMember(memberId)
              || group.size() < config.groupMaxSize();
    };
  }

  private void doNewMemberJoinGroup(
      GroupMetadata group,
      JoinGroupRequest req,
      String clientHost,
      CompletableFuture<JoinGroupResponse> f) {
    if (group.is(GroupState.DEAD)) {
      f.complete(joinError("", ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (!group.supportsProtocols(req.getProtocolType(), req.getProtocolsList())) {
      f.complete(inconsistentProtocol(group, req));
      return;
    }
    String newMemberId = req.getClientId() + "-" + memberIdSuffix.get();
    String instanceId = req.getGroupInstanceId();
    if (!instanceId.isEmpty()) {
      String oldMemberId = group.staticMemberId(instanceId);
      if (oldMemberId != null) {
        log.info(
            "Static member with groupInstanceId={} and unknown member id joins group {} in {}"
                + " state. Replacing previously mapped member {} with this groupInstanceId.",
            instanceId,
            group.groupId,
            group.state,
            oldMemberId);
        updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, req, f);
      } else {
        addMemberAndRebalance(group, newMemberId, req, clientHost, f);
      }
      return;
    }
    // KIP-394: the member learns its id first and joins again with it.
    addPendingMember(group, newMemberId, req.getSessionTimeoutMs());
    log.debug(
        "Dynamic member with unknown member id joins group {} in {} state. Created a new member id"
            + " {} and request the member to rejoin with this id.",
        group.groupId,
        group.state,
        newMemberId);
    f.complete(
        JoinGroupResponse.newBuilder()
            .setError(ErrorCode.MEMBER_ID_REQUIRED)
            .setErrorMessage("join again with member id " + newMemberId)
            .setMemberId(newMemberId)
            .setGenerationId(-1)
            .build());
  }

  private void doCurrentMemberJoinGroup(
      GroupMetadata group,
      JoinGroupRequest req,
      String clientHost,
      CompletableFuture<JoinGroupResponse> f) {
    String memberId = req.getMemberId();
    if (group.is(GroupState.DEAD)) {
      // The group was just unloaded or deleted: the member should find the coordinator again.
      f.complete(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (!group.supportsProtocols(req.getProtocolType(), req.getProtocolsList())) {
      f.complete(inconsistentProtocol(group, req));
      return;
    }
    if (group.isPendingMember(memberId)) {
      if (!req.getGroupInstanceId().isEmpty()) {
        f.complete(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        return;
      }
      removePendingMember(group, memberId);
      addMemberAndRebalance(group, memberId, req, clientHost, f);
      return;
    }
    ErrorCode err = validateCurrentMember(group, memberId, req.getGroupInstanceId(), "join-group");
    if (err != ErrorCode.NONE) {
      f.complete(joinError(memberId, err));
      return;
    }
    MemberMetadata member = group.get(memberId);
    String reason = req.getReason();
    switch (group.state) {
      case PREPARING_REBALANCE ->
          updateMemberAndRebalance(
              group,
              member,
              req.getProtocolsList(),
              "Member "
                  + memberId
                  + " joining group during PreparingRebalance; client reason: "
                  + reason,
              f);
      case COMPLETING_REBALANCE -> {
        if (member.matches(req.getProtocolsList())) {
          // Same metadata (the member probably missed its JoinGroup response): answer again.
          f.complete(currentJoinResponse(group, member, group.isLeader(memberId), false));
        } else {
          updateMemberAndRebalance(
              group,
              member,
              req.getProtocolsList(),
              "Updating metadata for member "
                  + memberId
                  + " during CompletingRebalance; client"
                  + " reason: "
                  + reason,
              f);
        }
      }
      case STABLE -> {
        if (group.isLeader(memberId)) {
          // The leader rejoins to reassign (e.g. topic metadata changed).
          updateMemberAndRebalance(
              group,
              member,
              req.getProtocolsList(),
              "Leader " + memberId + " re-joining group during Stable; client reason: " + reason,
              f);
        } else if (!member.matches(req.getProtocolsList())) {
          updateMemberAndRebalance(
              group,
              member,
              req.getProtocolsList(),
              "Updating metadata for member "
                  + memberId
                  + " during Stable; client reason: "
                  + reason,
              f);
        } else {
          f.complete(currentJoinResponse(group, member, false, false));
        }
      }
      case EMPTY, DEAD -> {
        log.warn(
            "Attempt to add rejoining member {} of group {} in unexpected group state {}",
            memberId,
            group.groupId,
            group.state);
        f.complete(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      }
    }
  }

  private void addMemberAndRebalance(
      GroupMetadata group,
      String memberId,
      JoinGroupRequest req,
      String clientHost,
      CompletableFuture<JoinGroupResponse> f) {
    MemberMetadata member =
        new MemberMetadata(
            memberId,
            req.getGroupInstanceId(),
            req.getClientId(),
            clientHost,
            req.getRebalanceTimeoutMs(),
            req.getSessionTimeoutMs(),
            req.getProtocolType(),
            req.getProtocolsList());
    member.isNew = true;
    member.awaitingJoin = f;
    if (group.is(GroupState.PREPARING_REBALANCE) && group.generationId == 0) {
      group.newMemberAdded = true;
    }
    group.add(member);
    // A new member waits at most NEW_MEMBER_JOIN_TIMEOUT_MS for its first rebalance.
    scheduleHeartbeatExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    log.info(
        "{} member {} (client {}, host {}{}) joined group {} in state {}",
        member.isStaticMember() ? "Static" : "Dynamic",
        memberId,
        member.clientId,
        clientHost,
        member.isStaticMember() ? ", group.instance.id " + member.groupInstanceId : "",
        group.groupId,
        group.state);
    maybePrepareRebalance(
        group, "Adding new member " + memberId + "; client reason: " + req.getReason());
  }

  private void updateMemberAndRebalance(
      GroupMetadata group,
      MemberMetadata member,
      List<JoinGroupProtocol> protocols,
      String reason,
      CompletableFuture<JoinGroupResponse> f) {
    updateMember(member, protocols, f);
    maybePrepareRebalance(group, reason);
  }

  private static void updateMember(
      MemberMetadata member,
      List<JoinGroupProtocol> protocols,
      CompletableFuture<JoinGroupResponse> f) {
    member.supportedProtocols = List.copyOf(protocols);
    if (member.awaitingJoin != null && member.awaitingJoin != f) {
      // The member gave up on its previous JoinGroup and sent a new one.
      member.maybeCompleteJoin(
          joinError(
              member.memberId,
              ErrorCode.REBALANCE_IN_PROGRESS,
              "superseded by a newer JoinGroup of the same member"));
    }
    member.awaitingJoin = f;
  }

  /**
   * KIP-345: a new instance of a known static member. It takes over the old member id (whose
   * waiting requests are fenced); while Stable, when the group's protocol would not change, it gets
   * the current generation back without a rebalance (its old assignment via SyncGroup; a leader is
   * told to skip the assignment).
   */
  private void updateStaticMemberAndRebalance(
      GroupMetadata group,
      String oldMemberId,
      String newMemberId,
      JoinGroupRequest req,
      CompletableFuture<JoinGroupResponse> f) {
    MemberMetadata old = group.get(oldMemberId);
    String instanceId = req.getGroupInstanceId();
    old.maybeCompleteJoin(
        joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID, fencedMessage(instanceId)));
    old.maybeCompleteSync(
        SyncGroupResponse.newBuilder()
            .setError(ErrorCode.FENCED_INSTANCE_ID)
            .setErrorMessage(fencedMessage(instanceId))
            .build());
    List<JoinGroupProtocol> oldProtocols = old.supportedProtocols;
    MemberMetadata member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
    updateMember(member, req.getProtocolsList(), f);
    switch (group.state) {
      case STABLE -> {
        String next = group.selectProtocol();
        if (!next.equals(group.protocolName)) {
          maybePrepareRebalance(
              group,
              "Group's selectedProtocol will change because static member "
                  + newMemberId
                  + " with instance id "
                  + instanceId
                  + " joined with change of protocol; client reason: "
                  + req.getReason());
          return;
        }
        log.info(
            "Static member {} of group {} rejoined as {} during Stable without changing the"
                + " selected protocol: no rebalance",
            oldMemberId,
            group.groupId,
            newMemberId);
        Map<String, ByteString> assignment = currentAssignment(group);
        int generation = group.generationId;
        storeGroup(
            group,
            assignment,
            error -> {
              if (group.get(newMemberId) != member) {
                return;
              }
              if (error != ErrorCode.NONE) {
                log.warn(
                    "Failed to persist metadata for group {}: {}", group.groupId, error.name());
                // Revert: the old member id stays the instance's.
                member.supportedProtocols = oldProtocols;
                MemberMetadata reverted =
                    group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
                member.maybeCompleteJoin(joinError("", error));
                scheduleHeartbeatExpiration(group, reverted, reverted.sessionTimeoutMs);
              } else {
                boolean isLeader = group.isLeader(newMemberId);
                if (group.is(GroupState.STABLE)
                    && group.generationId == generation
                    && member.isAwaitingJoin()) {
                  member.maybeCompleteJoin(currentJoinResponse(group, member, isLeader, isLeader));
                }
              }
            });
      }
      case COMPLETING_REBALANCE ->
          // The leader may already have the old member id: a new rebalance keeps ids consistent.
          prepareRebalance(
              group,
              "Updating metadata for static member "
                  + newMemberId
                  + " with instance id "
                  + instanceId
                  + "; client reason: "
                  + req.getReason());
      case PREPARING_REBALANCE -> {
        // It waits for the rebalance like every other member.
      }
      case EMPTY, DEAD ->
          throw new IllegalStateException(
              "A known static member "
                  + instanceId
                  + " of group "
                  + group.groupId
                  + " in state "
                  + group.state);
    }
  }

  private JoinGroupResponse currentJoinResponse(
      GroupMetadata group, MemberMetadata member, boolean withMembers, boolean skipAssignment) {
    JoinGroupResponse.Builder b =
        JoinGroupResponse.newBuilder()
            .setError(ErrorCode.NONE)
            .setGenerationId(group.generationId)
            .setProtocolType(group.protocolType)
            .setProtocolName(group.protocolName)
            .setLeader(group.leaderId == null ? "" : group.leaderId)
            .setMemberId(member.memberId)
            .setSkipAssignment(skipAssignment);
    if (withMembers) {
      b.addAllMembers(group.currentMemberMetadata());
    }
    return b.build();
  }

  private void addPendingMember(GroupMetadata group, String memberId, int sessionTimeoutMs) {
    ScheduledFuture<?> expiry =
        scheduler.schedule(
            "group-pending-member-" + memberId,
            () -> {
              synchronized (lock) {
                if (groups.get(group.groupId) == group && group.isPendingMember(memberId)) {
                  log.info(
                      "Pending member {} in group {} has been removed after session timeout"
                          + " expiration.",
                      memberId,
                      group.groupId);
                  group.pendingMembers.remove(memberId);
                  if (group.is(GroupState.PREPARING_REBALANCE)) {
                    tryCompleteJoin(group);
                  }
                }
              }
            },
            sessionTimeoutMs,
            0);
    group.pendingMembers.put(memberId, expiry);
  }

  private void removePendingMember(GroupMetadata group, String memberId) {
    ScheduledFuture<?> expiry = group.pendingMembers.remove(memberId);
    if (expiry != null) {
      expiry.cancel(false);
    }
  }

  // ================================================================== rebalance

  private void maybePrepareRebalance(GroupMetadata group, String reason) {
    if (group.canRebalance()) {
      prepareRebalance(group, reason);
    }
  }

  private void prepareRebalance(GroupMetadata group, String reason) {
    if (group.is(GroupState.COMPLETING_REBALANCE)) {
      resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    boolean initial = group.is(GroupState.EMPTY);
    group.transitionTo(GroupState.PREPARING_REBALANCE, wallMs());
    log.info(
        "Preparing to rebalance group {} in state PreparingRebalance with old generation {}"
            + " ({}-{}) (reason: {})",
        group.groupId,
        group.generationId,
        OFFSETS_TOPIC,
        group.partition,
        reason);
    if (initial) {
      int delay = config.groupInitialRebalanceDelayMs();
      scheduleJoinTimer(group, true, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      scheduleJoinTimer(group, false, group.rebalanceTimeoutMs(), 0);
      tryCompleteJoin(group);
    }
  }

  /**
   * Kafka's DelayedJoin (completes when every member rejoined, or at its timeout) and
   * InitialDelayedJoin (completes only at its timeout, extended by up to the initial delay while
   * new members keep joining, until {@code remainingMs} is used up).
   */
  private void scheduleJoinTimer(
      GroupMetadata group, boolean initial, long delayMs, long remainingMs) {
    cancelJoinTimer(group);
    long seq = group.joinTimerSeq;
    group.initialJoinDelay = initial;
    group.joinTimer =
        scheduler.schedule(
            "group-join-" + group.groupId,
            () -> {
              synchronized (lock) {
                if (groups.get(group.groupId) != group
                    || group.joinTimerSeq != seq
                    || !group.is(GroupState.PREPARING_REBALANCE)) {
                  return;
                }
                group.joinTimer = null;
                if (initial && group.newMemberAdded && remainingMs != 0) {
                  group.newMemberAdded = false;
                  long delay = Math.min(config.groupInitialRebalanceDelayMs(), remainingMs);
                  scheduleJoinTimer(group, true, delay, Math.max(remainingMs - delay, 0));
                } else {
                  completeJoin(group);
                }
              }
            },
            delayMs,
            0);
  }

  private static void cancelJoinTimer(GroupMetadata group) {
    group.joinTimerSeq++;
    group.initialJoinDelay = false;
    if (group.joinTimer != null) {
      group.joinTimer.cancel(false);
      group.joinTimer = null;
    }
  }

  /** Completes the rebalance now if every member rejoined (not during a new group's delay). */
  private void tryCompleteJoin(GroupMetadata group) {
    if (group.is(GroupState.PREPARING_REBALANCE)
        && !group.initialJoinDelay
        && group.hasAllMembersJoined()) {
      completeJoin(group);
    }
  }

  private void completeJoin(GroupMetadata group) {
    cancelJoinTimer(group);
    List<String> removed = new ArrayList<>();
    for (MemberMetadata m : group.notYetRejoinedMembers()) {
      if (!m.isStaticMember()) {
        removed.add(m.memberId);
        cancelHeartbeatExpiration(m);
        group.remove(m.memberId);
      }
    }
    if (!removed.isEmpty()) {
      log.info("Group {} removed dynamic members who haven't joined: {}", group.groupId, removed);
    }
    if (group.is(GroupState.DEAD)) {
      log.info("Group {} is dead, skipping rebalance stage", group.groupId);
      return;
    }
    if (!group.maybeElectNewJoinedLeader() && !group.isEmptyOfMembers()) {
      // Only static members that did not rejoin remain: wait for them or their session expiry.
      log.error("Group {} could not complete rebalance because no members rejoined", group.groupId);
      scheduleJoinTimer(group, false, group.rebalanceTimeoutMs(), 0);
      return;
    }
    group.initNextGeneration(wallMs());
    if (group.is(GroupState.EMPTY)) {
      log.info(
          "Group {} with generation {} is now empty ({}-{})",
          group.groupId,
          group.generationId,
          OFFSETS_TOPIC,
          group.partition);
      storeGroup(
          group,
          Map.of(),
          error -> {
            if (error != ErrorCode.NONE) {
              // Safe: an empty generation has no members to confuse if the old one comes back.
              log.warn(
                  "Failed to write empty metadata for group {}: {}", group.groupId, error.name());
            }
          });
      return;
    }
    log.info(
        "Stabilized group {} generation {} ({}-{}) with {} members",
        group.groupId,
        group.generationId,
        OFFSETS_TOPIC,
        group.partition,
        group.size());
    for (MemberMetadata m : new ArrayList<>(group.members.values())) {
      m.maybeCompleteJoin(currentJoinResponse(group, m, group.isLeader(m.memberId), false));
      m.isNew = false;
      scheduleHeartbeatExpiration(group, m, m.sessionTimeoutMs);
    }
  }

  private static void resetAndPropagateAssignmentError(GroupMetadata group, ErrorCode error) {
    // Copies: a completed future's dependents may call back in (same thread, reentrant lock).
    for (MemberMetadata m : new ArrayList<>(group.members.values())) {
      m.assignment = ByteString.EMPTY;
      m.maybeCompleteSync(
          SyncGroupResponse.newBuilder()
              .setError(error)
              .setProtocolType(group.protocolType)
              .setProtocolName(group.protocolName)
              .build());
    }
  }

  private static Map<String, ByteString> currentAssignment(GroupMetadata group) {
    Map<String, ByteString> a = new HashMap<>();
    for (MemberMetadata m : group.members.values()) {
      a.put(m.memberId, m.assignment);
    }
    return a;
  }

  // ================================================================== SyncGroup

  public CompletableFuture<SyncGroupResponse> syncGroup(SyncGroupRequest req) {
    CompletableFuture<SyncGroupResponse> f = new CompletableFuture<>();
    synchronized (lock) {
      String memberId = req.getMemberId();
      ErrorCode status = groupStatus(req.getGroupId());
      if (status == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
        // The rebalance's state is lost while loading: the member must rejoin (as Kafka answers).
        status = ErrorCode.REBALANCE_IN_PROGRESS;
      }
      if (status != ErrorCode.NONE) {
        f.complete(syncError(status));
        return f;
      }
      GroupMetadata group = groups.get(req.getGroupId());
      if (group == null) {
        f.complete(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        return f;
      }
      if (group.is(GroupState.DEAD)) {
        f.complete(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        return f;
      }
      ErrorCode err =
          validateCurrentMember(group, memberId, req.getGroupInstanceId(), "sync-group");
      if (err == ErrorCode.NONE && req.getGenerationId() != group.generationId) {
        err = ErrorCode.ILLEGAL_GENERATION;
      }
      if (err == ErrorCode.NONE
          && ((!req.getProtocolType().isEmpty()
                  && !req.getProtocolType().equals(group.protocolType))
              || (!req.getProtocolName().isEmpty()
                  && !req.getProtocolName().equals(group.protocolName)))) {
        err = ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
      }
      if (err != ErrorCode.NONE) {
        f.complete(syncError(err));
        return f;
      }
      MemberMetadata member = group.get(memberId);
      switch (group.state) {
        case EMPTY -> f.complete(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
        case PREPARING_REBALANCE -> f.complete(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        case COMPLETING_REBALANCE -> {
          if (member.awaitingSync != null) {
            member.maybeCompleteSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          }
          member.awaitingSync = f;
          if (group.isLeader(memberId)) {
            onLeaderAssignment(group, req);
          }
        }
        case STABLE -> {
          scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
          f.complete(
              SyncGroupResponse.newBuilder()
                  .setError(ErrorCode.NONE)
                  .setProtocolType(group.protocolType)
                  .setProtocolName(group.protocolName)
                  .setAssignment(member.assignment)
                  .build());
        }
        case DEAD -> f.complete(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      }
    }
    return f;
  }

  private void onLeaderAssignment(GroupMetadata group, SyncGroupRequest req) {
    int staticMembers = 0;
    for (MemberMetadata m : group.members.values()) {
      if (m.isStaticMember()) {
        staticMembers++;
      }
    }
    log.info(
        "Assignment received from leader {} for group {} for generation {}. The group has {}"
            + " members, {} of which are static.",
        req.getMemberId(),
        group.groupId,
        group.generationId,
        group.size(),
        staticMembers);
    Map<String, ByteString> assignment = new HashMap<>();
    for (SyncGroupAssignment a : req.getAssignmentsList()) {
      if (group.has(a.getMemberId())) {
        assignment.put(a.getMemberId(), a.getAssignment());
      }
    }
    for (String id : group.members.keySet()) {
      assignment.putIfAbsent(id, ByteString.EMPTY);
    }
    int generation = group.generationId;
    storeGroup(
        group,
        assignment,
        error -> {
          if (groups.get(group.groupId) != group
              || !group.is(GroupState.COMPLETING_REBALANCE)
              || group.generationId != generation) {
            return;
          }
          if (error != ErrorCode.NONE) {
            resetAndPropagateAssignmentError(group, error);
            maybePrepareRebalance(
                group, "Error " + error.name() + " when storing group assignment during SyncGroup");
            return;
          }
          // State first: a completed future's dependent may call back in (reentrant lock).
          List<MemberMetadata> members = new ArrayList<>(group.members.values());
          for (MemberMetadata m : members) {
            m.assignment = assignment.getOrDefault(m.memberId, ByteString.EMPTY);
            if (m.isAwaitingSync()) {
              scheduleHeartbeatExpiration(group, m, m.sessionTimeoutMs);
            }
          }
          group.transitionTo(GroupState.STABLE, wallMs());
          log.info(
              "Group {} generation {} is now Stable with {} members",
              group.groupId,
              group.generationId,
              group.size());
          for (MemberMetadata m : members) {
            m.maybeCompleteSync(
                SyncGroupResponse.newBuilder()
                    .setError(ErrorCode.NONE)
                    .setProtocolType(group.protocolType)
                    .setProtocolName(group.protocolName)
                    .setAssignment(assignment.getOrDefault(m.memberId, ByteString.EMPTY))
                    .build());
          }
        });
  }

  /**
   * Appends the group's metadata (with {@code assignment}) and calls {@code callback} under the
   * lock with the error to give members.
   */
  private void storeGroup(
      GroupMetadata group,
      Map<String, ByteString> assignment,
      java.util.function.Consumer<ErrorCode> callback) {
    GroupMetadataValue value = group.toValue(assignment);
    store
        .append(group.groupId, List.of(new GroupRecord.GroupMetadata(group.groupId, value)))
        .whenComplete(
            (code, ex) -> {
              synchronized (lock) {
                ErrorCode error = ex != null ? ErrorCode.UNKNOWN_SERVER_ERROR : code;
                callback.accept(mapGroupStoreError(group.groupId, error));
              }
            });
  }

  /** Kafka's mapping of an append error for a group metadata record. */
  private static ErrorCode mapGroupStoreError(String groupId, ErrorCode error) {
    return switch (error) {
      case NONE -> ErrorCode.NONE;
      case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND ->
          ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> ErrorCode.NOT_COORDINATOR;
      case REQUEST_TIMED_OUT -> ErrorCode.REBALANCE_IN_PROGRESS;
      case RECORD_TOO_LARGE, RECORD_LIST_TOO_LARGE -> {
        log.error("Appending metadata of group {} failed: {}", groupId, error.name());
        yield ErrorCode.UNKNOWN_SERVER_ERROR;
      }
      default -> error;
    };
  }

  /** Kafka's mapping of an append error for offset commit records. */
  private static ErrorCode mapOffsetStoreError(ErrorCode error) {
    return switch (error) {
      case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND ->
          ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> ErrorCode.NOT_COORDINATOR;
      case RECORD_TOO_LARGE, RECORD_LIST_TOO_LARGE -> ErrorCode.UNKNOWN_SERVER_ERROR;
      default -> error;
    };
  }

  // ================================================================== Heartbeat

  public CompletableFuture<HeartbeatResponse> heartbeat(HeartbeatRequest req) {
    synchronized (lock) {
      ErrorCode status = groupStatus(req.getGroupId());
      if (status == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
        // As Kafka: the group is still loading, answer blindly (loaded members get fresh sessions).
        return heartbeatResult(ErrorCode.NONE);
      }
      if (status != ErrorCode.NONE) {
        return heartbeatResult(status);
      }
      GroupMetadata group = groups.get(req.getGroupId());
      if (group == null) {
        return heartbeatResult(ErrorCode.UNKNOWN_MEMBER_ID);
      }
      if (group.is(GroupState.DEAD)) {
        return heartbeatResult(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
      ErrorCode err =
          validateCurrentMember(group, req.getMemberId(), req.getGroupInstanceId(), "heartbeat");
      if (err != ErrorCode.NONE) {
        return heartbeatResult(err);
      }
      if (req.getGenerationId() != group.generationId) {
        return heartbeatResult(ErrorCode.ILLEGAL_GENERATION);
      }
      MemberMetadata member = group.get(req.getMemberId());
      return switch (group.state) {
        case EMPTY -> heartbeatResult(ErrorCode.UNKNOWN_MEMBER_ID);
        case COMPLETING_REBALANCE, STABLE -> {
          scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
          yield heartbeatResult(ErrorCode.NONE);
        }
        case PREPARING_REBALANCE -> {
          scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
          yield heartbeatResult(ErrorCode.REBALANCE_IN_PROGRESS);
        }
        case DEAD -> heartbeatResult(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      };
    }
  }

  private static CompletableFuture<HeartbeatResponse> heartbeatResult(ErrorCode error) {
    return CompletableFuture.completedFuture(
        HeartbeatResponse.newBuilder().setError(error).build());
  }

  /**
   * Moves the member's deadline to now + {@code timeoutMs}. One scheduled check per member: it is
   * rescheduled only when the deadline moves earlier; a check that finds a later deadline schedules
   * itself again.
   */
  private void scheduleHeartbeatExpiration(
      GroupMetadata group, MemberMetadata member, long timeoutMs) {
    long now = monoMs();
    member.heartbeatDeadlineMs = now + timeoutMs;
    if (member.expirationTask != null && member.expirationCheckAtMs <= member.heartbeatDeadlineMs) {
      return;
    }
    cancelHeartbeatExpiration(member);
    scheduleExpirationCheck(group, member, timeoutMs);
  }

  private void scheduleExpirationCheck(GroupMetadata group, MemberMetadata member, long delayMs) {
    member.expirationCheckAtMs = monoMs() + delayMs;
    member.expirationTask =
        scheduler.schedule(
            "group-heartbeat-" + group.groupId, () -> onExpirationCheck(group, member), delayMs, 0);
  }

  private static void cancelHeartbeatExpiration(MemberMetadata member) {
    if (member.expirationTask != null) {
      member.expirationTask.cancel(false);
      member.expirationTask = null;
    }
    member.expirationCheckAtMs = Long.MAX_VALUE;
  }

  private void onExpirationCheck(GroupMetadata group, MemberMetadata member) {
    synchronized (lock) {
      member.expirationTask = null;
      member.expirationCheckAtMs = Long.MAX_VALUE;
      if (groups.get(group.groupId) != group
          || group.get(member.memberId) != member
          || group.is(GroupState.DEAD)) {
        return;
      }
      long now = monoMs();
      if (now < member.heartbeatDeadlineMs) {
        scheduleExpirationCheck(group, member, member.heartbeatDeadlineMs - now);
        return;
      }
      if (!member.isNew && (member.isAwaitingJoin() || member.isAwaitingSync())) {
        // Members waiting for the rebalance need not heartbeat.
        scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
        return;
      }
      log.info(
          "Member {} in group {} has failed, removing it from the group",
          member.memberId,
          group.groupId);
      removeMemberAndUpdateGroup(
          group, member, "removing member " + member.memberId + " on heartbeat expiration");
    }
  }

  private void removeMemberAndUpdateGroup(
      GroupMetadata group, MemberMetadata member, String reason) {
    // A member removed while its JoinGroup waits learns it with UNKNOWN_MEMBER_ID and rejoins.
    member.maybeCompleteJoin(joinError("", ErrorCode.UNKNOWN_MEMBER_ID));
    member.maybeCompleteSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    cancelHeartbeatExpiration(member);
    group.remove(member.memberId);
    switch (group.state) {
      case DEAD, EMPTY -> {}
      case STABLE, COMPLETING_REBALANCE -> maybePrepareRebalance(group, reason);
      case PREPARING_REBALANCE -> tryCompleteJoin(group);
    }
  }

  // ================================================================== LeaveGroup

  public CompletableFuture<LeaveGroupResponse> leaveGroup(LeaveGroupRequest req) {
    synchronized (lock) {
      ErrorCode status = groupStatus(req.getGroupId());
      if (status != ErrorCode.NONE) {
        return CompletableFuture.completedFuture(
            LeaveGroupResponse.newBuilder().setError(status).build());
      }
      GroupMetadata group = groups.get(req.getGroupId());
      LeaveGroupResponse.Builder resp = LeaveGroupResponse.newBuilder().setError(ErrorCode.NONE);
      if (group == null) {
        for (MemberIdentity m : req.getMembersList()) {
          resp.addMembers(leaveResult(m, ErrorCode.UNKNOWN_MEMBER_ID));
        }
        return CompletableFuture.completedFuture(resp.build());
      }
      if (group.is(GroupState.DEAD)) {
        return CompletableFuture.completedFuture(
            LeaveGroupResponse.newBuilder().setError(ErrorCode.COORDINATOR_NOT_AVAILABLE).build());
      }
      for (MemberIdentity leaving : req.getMembersList()) {
        resp.addMembers(leaveResult(leaving, removeLeavingMember(group, leaving)));
      }
      return CompletableFuture.completedFuture(resp.build());
    }
  }

  private ErrorCode removeLeavingMember(GroupMetadata group, MemberIdentity leaving) {
    String memberId = leaving.getMemberId();
    String instanceId = leaving.getGroupInstanceId();
    String reason =
        "Removing member "
            + (memberId.isEmpty() ? "with group.instance.id " + instanceId : memberId)
            + " on LeaveGroup; client reason: "
            + leaving.getReason();
    if (memberId.isEmpty()) {
      String id = instanceId.isEmpty() ? null : group.staticMemberId(instanceId);
      if (id == null) {
        return ErrorCode.UNKNOWN_MEMBER_ID;
      }
      log.info(
          "Static member {} (group.instance.id {}) has left group {} through explicit LeaveGroup;"
              + " client reason: {}",
          id,
          instanceId,
          group.groupId,
          leaving.getReason());
      removeMemberAndUpdateGroup(group, group.get(id), reason);
      return ErrorCode.NONE;
    }
    if (instanceId.isEmpty() && group.isPendingMember(memberId)) {
      log.info(
          "Pending member {} has left group {} through explicit LeaveGroup request",
          memberId,
          group.groupId);
      removePendingMember(group, memberId);
      if (group.is(GroupState.PREPARING_REBALANCE)) {
        tryCompleteJoin(group);
      }
      return ErrorCode.NONE;
    }
    ErrorCode err = validateCurrentMember(group, memberId, instanceId, "leave-group");
    if (err != ErrorCode.NONE) {
      return err;
    }
    log.info(
        "Member {} has left group {} through explicit LeaveGroup; client reason: {}",
        memberId,
        group.groupId,
        leaving.getReason());
    removeMemberAndUpdateGroup(group, group.get(memberId), reason);
    return ErrorCode.NONE;
  }

  private static LeaveGroupMemberResponse leaveResult(MemberIdentity m, ErrorCode error) {
    return LeaveGroupMemberResponse.newBuilder()
        .setMemberId(m.getMemberId())
        .setGroupInstanceId(m.getGroupInstanceId())
        .setError(error)
        .build();
  }

  // ================================================================== OffsetCommit

  /**
   * Partitions of unknown topics have been answered UNKNOWN_TOPIC_OR_PARTITION by the caller and
   * are not in {@code req}.
   */
  public CompletableFuture<OffsetCommitResponse> offsetCommit(OffsetCommitRequest req) {
    synchronized (lock) {
      String groupId = req.getGroupId();
      ErrorCode status = groupStatus(groupId);
      if (status != ErrorCode.NONE) {
        return CompletableFuture.completedFuture(commitResponse(req, tp -> status));
      }
      GroupMetadata group = groups.get(groupId);
      if (group == null) {
        if (req.getGenerationId() < 0) {
          // Not managed by the coordinator (assign() or the admin): the group exists for offsets.
          group =
              new GroupMetadata(groupId, store.partitionFor(groupId), GroupState.EMPTY, wallMs());
          groups.put(groupId, group);
        } else {
          return CompletableFuture.completedFuture(
              commitResponse(req, tp -> ErrorCode.ILLEGAL_GENERATION));
        }
      }
      ErrorCode err = validateOffsetCommit(group, req);
      if (err == ErrorCode.NONE && group.is(GroupState.COMPLETING_REBALANCE)) {
        // A valid member that has not synced yet: let it finish the rebalance first.
        err = ErrorCode.REBALANCE_IN_PROGRESS;
      }
      if (err != ErrorCode.NONE) {
        ErrorCode e = err;
        return CompletableFuture.completedFuture(commitResponse(req, tp -> e));
      }
      MemberMetadata member = group.get(req.getMemberId());
      if (member != null) {
        scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
      }
      return storeOffsets(group, req);
    }
  }

  private ErrorCode validateOffsetCommit(GroupMetadata group, OffsetCommitRequest req) {
    if (group.is(GroupState.DEAD)) {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    if (req.getGenerationId() >= 0
        || !req.getMemberId().isEmpty()
        || !req.getGroupInstanceId().isEmpty()) {
      ErrorCode err =
          validateCurrentMember(
              group, req.getMemberId(), req.getGroupInstanceId(), "offset-commit");
      if (err != ErrorCode.NONE) {
        return err;
      }
      return req.getGenerationId() != group.generationId
          ? ErrorCode.ILLEGAL_GENERATION
          : ErrorCode.NONE;
    }
    // From outside the membership: only while the group has no members (Kafka answers
    // UNKNOWN_MEMBER_ID otherwise).
    return group.is(GroupState.EMPTY) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private CompletableFuture<OffsetCommitResponse> storeOffsets(
      GroupMetadata group, OffsetCommitRequest req) {
    long now = wallMs();
    Map<TopicPartition, ErrorCode> tooLarge = new HashMap<>();
    Map<TopicPartition, OffsetCommitValue> valid = new LinkedHashMap<>();
    for (OffsetCommitTopic t : req.getTopicsList()) {
      for (OffsetCommitPartition p : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getName(), p.getPartition());
        int metadataBytes = p.getCommittedMetadata().getBytes(StandardCharsets.UTF_8).length;
        if (metadataBytes > config.offsetMetadataMaxBytes()) {
          tooLarge.put(tp, ErrorCode.OFFSET_METADATA_TOO_LARGE);
          valid.remove(tp);
        } else {
          tooLarge.remove(tp);
          valid.put(
              tp,
              OffsetCommitValue.newBuilder()
                  .setOffset(p.getCommittedOffset())
                  .setLeaderEpoch(p.getCommittedLeaderEpoch())
                  .setMetadata(p.getCommittedMetadata())
                  .setCommitTimestamp(now)
                  .setExpireTimestamp(-1)
                  .build());
        }
      }
    }
    if (valid.isEmpty()) {
      return CompletableFuture.completedFuture(
          commitResponse(req, tp -> tooLarge.getOrDefault(tp, ErrorCode.NONE)));
    }
    List<GroupRecord> records = new ArrayList<>(valid.size());
    Map<TopicPartition, Long> seqs = new HashMap<>();
    for (Map.Entry<TopicPartition, OffsetCommitValue> e : valid.entrySet()) {
      long seq = ++appendSeq;
      seqs.put(e.getKey(), seq);
      group.prepareOffsetCommit(e.getKey(), seq);
      records.add(new GroupRecord.OffsetCommit(group.groupId, e.getKey(), e.getValue()));
    }
    CompletableFuture<OffsetCommitResponse> response = new CompletableFuture<>();
    boolean[] done = new boolean[1];
    ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
    java.util.function.Consumer<ErrorCode> finish =
        code -> {
          synchronized (lock) {
            if (done[0]) {
              return;
            }
            done[0] = true;
            if (timeout[0] != null) {
              timeout[0].cancel(false);
            }
            ErrorCode error = mapOffsetStoreError(code);
            for (Map.Entry<TopicPartition, OffsetCommitValue> e : valid.entrySet()) {
              long seq = seqs.get(e.getKey());
              if (error == ErrorCode.NONE) {
                group.onOffsetCommitAppend(e.getKey(), e.getValue(), seq);
              } else {
                group.failPendingOffsetWrite(e.getKey(), seq);
              }
            }
            if (error != ErrorCode.NONE) {
              log.debug(
                  "Offset commit of group {} for {} failed: {}",
                  group.groupId,
                  valid.keySet(),
                  error.name());
            }
            response.complete(
                commitResponse(req, tp -> valid.containsKey(tp) ? error : tooLarge.get(tp)));
          }
        };
    timeout[0] =
        scheduler.schedule(
            "offset-commit-timeout-" + group.groupId,
            () -> finish.accept(ErrorCode.REQUEST_TIMED_OUT),
            config.offsetsCommitTimeoutMs(),
            0);
    store
        .append(group.groupId, records)
        .whenComplete(
            (code, ex) -> finish.accept(ex != null ? ErrorCode.UNKNOWN_SERVER_ERROR : code));
    return response;
  }

  private static OffsetCommitResponse commitResponse(
      OffsetCommitRequest req, Function<TopicPartition, ErrorCode> errorFor) {
    OffsetCommitResponse.Builder b = OffsetCommitResponse.newBuilder();
    for (OffsetCommitTopic t : req.getTopicsList()) {
      OffsetCommitTopicResponse.Builder tb =
          OffsetCommitTopicResponse.newBuilder().setName(t.getName());
      for (OffsetCommitPartition p : t.getPartitionsList()) {
        ErrorCode e = errorFor.apply(new TopicPartition(t.getName(), p.getPartition()));
        OffsetCommitPartitionResponse.Builder pb =
            OffsetCommitPartitionResponse.newBuilder().setPartition(p.getPartition()).setError(e);
        if (e == ErrorCode.OFFSET_METADATA_TOO_LARGE) {
          pb.setErrorMessage("metadata is longer than offset.metadata.max.bytes");
        }
        tb.addPartitions(pb);
      }
      b.addTopics(tb);
    }
    return b.build();
  }

  // ================================================================== OffsetFetch

  public CompletableFuture<OffsetFetchResponse> offsetFetch(OffsetFetchRequest req) {
    synchronized (lock) {
      ErrorCode status = groupStatus(req.getGroupId());
      if (status != ErrorCode.NONE) {
        return CompletableFuture.completedFuture(
            OffsetFetchResponse.newBuilder().setError(status).build());
      }
      GroupMetadata group = groups.get(req.getGroupId());
      if (group != null && group.is(GroupState.DEAD)) {
        group = null;
      }
      OffsetFetchResponse.Builder b = OffsetFetchResponse.newBuilder().setError(ErrorCode.NONE);
      if (req.getAllTopics()) {
        if (group != null) {
          Map<String, OffsetFetchTopicResponse.Builder> byTopic = new TreeMap<>();
          Map<TopicPartition, GroupMetadata.CommittedOffset> sorted = new TreeMap<>(group.offsets);
          for (Map.Entry<TopicPartition, GroupMetadata.CommittedOffset> e : sorted.entrySet()) {
            byTopic
                .computeIfAbsent(
                    e.getKey().topic(), t -> OffsetFetchTopicResponse.newBuilder().setName(t))
                .addPartitions(fetched(e.getKey().partition(), e.getValue().value()));
          }
          byTopic.values().forEach(b::addTopics);
        }
      } else {
        for (OffsetFetchTopic t : req.getTopicsList()) {
          OffsetFetchTopicResponse.Builder tb =
              OffsetFetchTopicResponse.newBuilder().setName(t.getName());
          for (int p : t.getPartitionsList()) {
            OffsetCommitValue v =
                group == null ? null : group.offset(new TopicPartition(t.getName(), p));
            tb.addPartitions(fetched(p, v));
          }
          b.addTopics(tb);
        }
      }
      return CompletableFuture.completedFuture(b.build());
    }
  }

  private static OffsetFetchPartitionResponse fetched(int partition, OffsetCommitValue v) {
    OffsetFetchPartitionResponse.Builder b =
        OffsetFetchPartitionResponse.newBuilder().setPartition(partition).setError(ErrorCode.NONE);
    if (v == null) {
      return b.setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("").build();
    }
    return b.setCommittedOffset(v.getOffset())
        .setCommittedLeaderEpoch(v.getLeaderEpoch())
        .setMetadata(v.getMetadata())
        .build();
  }

  // ================================================================== List / Describe

  public ListGroupsResponse listGroups(ListGroupsRequest req) {
    synchronized (lock) {
      if (!active) {
        return ListGroupsResponse.newBuilder()
            .setError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
            .build();
      }
      boolean loading = partitions.values().stream().anyMatch(Ownership::loading);
      Set<GroupState> filter = EnumSet.noneOf(GroupState.class);
      for (String s : req.getStatesFilterList()) {
        GroupState state = GroupState.parse(s);
        if (state != null) {
          filter.add(state);
        }
      }
      boolean all = req.getStatesFilterCount() == 0;
      ListGroupsResponse.Builder b =
          ListGroupsResponse.newBuilder()
              .setError(loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE);
      if (loading) {
        b.setErrorMessage("some groups of this coordinator are still loading");
      }
      for (GroupMetadata g : new TreeMap<>(groups).values()) {
        if (all || filter.contains(g.state)) {
          b.addGroups(
              ListedGroup.newBuilder()
                  .setGroupId(g.groupId)
                  .setProtocolType(g.protocolType)
                  .setGroupState(g.state.kafkaName()));
        }
      }
      return b.build();
    }
  }

  public DescribeGroupsResponse describeGroups(DescribeGroupsRequest req) {
    synchronized (lock) {
      DescribeGroupsResponse.Builder b = DescribeGroupsResponse.newBuilder();
      for (String groupId : req.getGroupsList()) {
        b.addGroups(describe(groupId));
      }
      return b.build();
    }
  }

  private DescribedGroup describe(String groupId) {
    DescribedGroup.Builder b = DescribedGroup.newBuilder().setGroupId(groupId);
    ErrorCode status = groupStatus(groupId);
    if (status != ErrorCode.NONE) {
      return b.setError(status).build();
    }
    GroupMetadata group = groups.get(groupId);
    if (group == null) {
      return b.setError(ErrorCode.NONE).setGroupState(GroupState.DEAD.kafkaName()).build();
    }
    b.setError(ErrorCode.NONE)
        .setGroupState(group.state.kafkaName())
        .setProtocolType(group.protocolType)
        .setGenerationId(group.generationId);
    boolean stable = group.is(GroupState.STABLE);
    if (stable) {
      b.setProtocolData(group.protocolName);
    }
    for (MemberMetadata m : group.members.values()) {
      DescribedGroupMember.Builder mb =
          DescribedGroupMember.newBuilder()
              .setMemberId(m.memberId)
              .setGroupInstanceId(m.groupInstanceId)
              .setClientId(m.clientId)
              .setClientHost(m.clientHost);
      if (stable) {
        mb.setMemberMetadata(m.metadata(group.protocolName)).setMemberAssignment(m.assignment);
      }
      b.addMembers(mb);
    }
    return b.build();
  }

  // ================================================================== DeleteGroups / OffsetDelete

  public CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest req) {
    synchronized (lock) {
      Map<String, CompletableFuture<DeletableGroupResult>> results = new LinkedHashMap<>();
      for (String groupId : req.getGroupsNamesList()) {
        results.put(groupId, deleteGroup(groupId));
      }
      return CompletableFuture.allOf(results.values().toArray(new CompletableFuture<?>[0]))
          .thenApply(
              v -> {
                DeleteGroupsResponse.Builder b = DeleteGroupsResponse.newBuilder();
                results.values().forEach(r -> b.addResults(r.join()));
                return b.build();
              });
    }
  }

  private CompletableFuture<DeletableGroupResult> deleteGroup(String groupId) {
    DeletableGroupResult.Builder r = DeletableGroupResult.newBuilder().setGroupId(groupId);
    ErrorCode status = groupStatus(groupId);
    if (status != ErrorCode.NONE) {
      return CompletableFuture.completedFuture(r.setError(status).build());
    }
    GroupMetadata group = groups.get(groupId);
    if (group == null || group.is(GroupState.DEAD)) {
      return CompletableFuture.completedFuture(
          r.setError(ErrorCode.GROUP_ID_NOT_FOUND)
              .setErrorMessage("group " + groupId + " does not exist")
              .build());
    }
    if (!group.is(GroupState.EMPTY)) {
      return CompletableFuture.completedFuture(
          r.setError(ErrorCode.NON_EMPTY_GROUP)
              .setErrorMessage("group " + groupId + " is " + group.state + ", not Empty")
              .build());
    }
    List<GroupRecord> tombstones = new ArrayList<>();
    for (TopicPartition tp : group.removeAllOffsets()) {
      tombstones.add(new GroupRecord.OffsetCommit(groupId, tp, null));
    }
    tombstones.add(new GroupRecord.GroupMetadata(groupId, null));
    killGroup(group);
    log.info(
        "Group {} deleted: transitioned to Dead in generation {}, {} offsets removed",
        groupId,
        group.generationId,
        tombstones.size() - 1);
    return store
        .append(groupId, tombstones)
        .handle(
            (code, ex) -> {
              ErrorCode e = mapOffsetStoreError(ex != null ? ErrorCode.UNKNOWN_SERVER_ERROR : code);
              return r.setError(e).build();
            });
  }

  /** Marks the group Dead and forgets it (timers cancelled, pending members dropped). */
  private void killGroup(GroupMetadata group) {
    group.transitionTo(GroupState.DEAD, wallMs());
    cancelJoinTimer(group);
    for (ScheduledFuture<?> t : group.pendingMembers.values()) {
      t.cancel(false);
    }
    group.pendingMembers.clear();
    for (MemberMetadata m : group.members.values()) {
      cancelHeartbeatExpiration(m);
    }
    groups.remove(group.groupId, group);
  }

  public CompletableFuture<OffsetDeleteResponse> offsetDelete(OffsetDeleteRequest req) {
    synchronized (lock) {
      String groupId = req.getGroupId();
      ErrorCode status = groupStatus(groupId);
      if (status != ErrorCode.NONE) {
        return CompletableFuture.completedFuture(
            OffsetDeleteResponse.newBuilder().setError(status).build());
      }
      GroupMetadata group = groups.get(groupId);
      if (group == null || group.is(GroupState.DEAD)) {
        return CompletableFuture.completedFuture(
            OffsetDeleteResponse.newBuilder()
                .setError(ErrorCode.GROUP_ID_NOT_FOUND)
                .setErrorMessage("group " + groupId + " does not exist")
                .build());
      }
      boolean empty = group.is(GroupState.EMPTY);
      if (!empty && !GroupMetadata.CONSUMER_PROTOCOL_TYPE.equals(group.protocolType)) {
        return CompletableFuture.completedFuture(
            OffsetDeleteResponse.newBuilder()
                .setError(ErrorCode.NON_EMPTY_GROUP)
                .setErrorMessage("group " + groupId + " is not empty and not a consumer group")
                .build());
      }
      OffsetDeleteResponse.Builder b = OffsetDeleteResponse.newBuilder().setError(ErrorCode.NONE);
      List<TopicPartition> eligible = new ArrayList<>();
      for (OffsetFetchTopic t : req.getTopicsList()) {
        boolean subscribed = !empty && group.isSubscribedToTopic(t.getName());
        OffsetDeleteTopicResponse.Builder tb =
            OffsetDeleteTopicResponse.newBuilder().setName(t.getName());
        for (int p : t.getPartitionsList()) {
          ErrorCode e = subscribed ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE;
          if (!subscribed) {
            eligible.add(new TopicPartition(t.getName(), p));
          }
          tb.addPartitions(OffsetDeletePartitionResponse.newBuilder().setPartition(p).setError(e));
        }
        b.addTopics(tb);
      }
      OffsetDeleteResponse ok = b.build();
      return cleanupGroupMetadata(group, group.removeOffsets(eligible))
          .thenApply(
              e ->
                  e == ErrorCode.NONE ? ok : OffsetDeleteResponse.newBuilder().setError(e).build());
    }
  }

  /** Topics were deleted: drop (tombstone) every group's committed offsets of these partitions. */
  public void onPartitionsDeleted(Collection<TopicPartition> deleted) {
    synchronized (lock) {
      int removed = 0;
      for (GroupMetadata g : new ArrayList<>(groups.values())) {
        List<TopicPartition> r = g.removeOffsets(deleted);
        removed += r.size();
        cleanupGroupMetadata(g, r);
      }
      if (removed > 0) {
        log.info("Removed {} offsets of deleted partitions", removed);
      }
    }
  }

  /**
   * Appends tombstones for {@code removedOffsets} of {@code group} and, if it is now Empty without
   * offsets, marks it Dead and tombstones it too (Kafka's {@code cleanupGroupMetadata}).
   */
  private CompletableFuture<ErrorCode> cleanupGroupMetadata(
      GroupMetadata group, List<TopicPartition> removedOffsets) {
    List<GroupRecord> tombstones = new ArrayList<>();
    for (TopicPartition tp : removedOffsets) {
      tombstones.add(new GroupRecord.OffsetCommit(group.groupId, tp, null));
    }
    if (group.is(GroupState.EMPTY) && !group.hasOffsets() && group.pendingMembers.isEmpty()) {
      log.info("Group {} transitioned to Dead in generation {}", group.groupId, group.generationId);
      killGroup(group);
      tombstones.add(new GroupRecord.GroupMetadata(group.groupId, null));
    }
    if (tombstones.isEmpty()) {
      return CompletableFuture.completedFuture(ErrorCode.NONE);
    }
    return store
        .append(group.groupId, tombstones)
        .handle(
            (code, ex) -> {
              ErrorCode e = mapOffsetStoreError(ex != null ? ErrorCode.UNKNOWN_SERVER_ERROR : code);
              if (e != ErrorCode.NONE) {
                // A lost tombstone is written again by the next cleanup that finds the entry.
                log.warn(
                    "Failed to append {} tombstones for group {}: {}",
                    tombstones.size(),
                    group.groupId,
                    e.name());
              }
              return e;
            });
  }

  /** The periodic retention task: expires offsets and then groups (Kafka's offsets.retention). */
  private void cleanupExpiredOffsets() {
    synchronized (lock) {
      if (!active) {
        return;
      }
      long now = wallMs();
      int removed = 0;
      for (GroupMetadata g : new ArrayList<>(groups.values())) {
        List<TopicPartition> expired = g.expiredOffsets(now, config.offsetsRetentionMs());
        g.removeOffsets(expired);
        removed += expired.size();
        cleanupGroupMetadata(g, expired);
      }
      if (removed > 0) {
        log.info("Removed {} expired offsets.", removed);
      }
    }
  }

  // ================================================================== ownership and loading

  /** True while this broker coordinates (owns, loaded or loading) the partition of the group. */
  public boolean isCoordinatorFor(String groupId) {
    synchronized (lock) {
      return partitions.containsKey(store.partitionFor(groupId));
    }
  }

  @Override
  public void onElection(int partition, int leaderEpoch) {
    synchronized (lock) {
      Ownership current = partitions.get(partition);
      if (current != null && leaderEpoch < current.leaderEpoch()) {
        log.info(
            "Ignoring election of {}-{} at epoch {}: already at epoch {}",
            OFFSETS_TOPIC,
            partition,
            leaderEpoch,
            current.leaderEpoch());
        return;
      }
      if (current != null) {
        unloadGroupsOf(partition);
      }
      partitions.put(partition, new Ownership(leaderEpoch, true));
      log.info(
          "Loading offsets and group metadata from {}-{} for epoch {}",
          OFFSETS_TOPIC,
          partition,
          leaderEpoch);
    }
  }

  @Override
  public void onLoaded(int partition, int leaderEpoch, GroupStore.LoadedPartition loaded) {
    synchronized (lock) {
      Ownership current = partitions.get(partition);
      if (current == null || !current.loading() || current.leaderEpoch() != leaderEpoch) {
        log.info(
            "Ignoring loaded {}-{} at epoch {}: ownership is now {}",
            OFFSETS_TOPIC,
            partition,
            leaderEpoch,
            current);
        return;
      }
      long now = wallMs();
      int offsetCount = 0;
      for (Map.Entry<String, GroupMetadataValue> e : loaded.groups().entrySet()) {
        GroupMetadata g = loadGroup(e.getKey(), partition, e.getValue());
        groups.put(g.groupId, g);
      }
      for (Map.Entry<String, Map<TopicPartition, OffsetCommitValue>> e :
          loaded.offsets().entrySet()) {
        GroupMetadata g =
            groups.computeIfAbsent(
                e.getKey(), id -> new GroupMetadata(id, partition, GroupState.EMPTY, now));
        for (Map.Entry<TopicPartition, OffsetCommitValue> o : e.getValue().entrySet()) {
          g.offsets.put(o.getKey(), new GroupMetadata.CommittedOffset(o.getValue(), 0));
          offsetCount++;
        }
      }
      partitions.put(partition, new Ownership(leaderEpoch, false));
      log.info(
          "Finished loading offsets and group metadata from {}-{} (epoch {}): {} groups, {}"
              + " offsets",
          OFFSETS_TOPIC,
          partition,
          leaderEpoch,
          loaded.groups().size(),
          offsetCount);
    }
  }

  private GroupMetadata loadGroup(String groupId, int partition, GroupMetadataValue v) {
    boolean hasMembers = v.getMembersCount() > 0;
    GroupMetadata g =
        new GroupMetadata(
            groupId,
            partition,
            hasMembers ? GroupState.STABLE : GroupState.EMPTY,
            v.getCurrentStateTimestamp());
    g.protocolType = v.getProtocolType();
    g.generationId = v.getGeneration();
    g.protocolName = hasMembers ? v.getProtocol() : "";
    for (MemberMetadataValue mv : v.getMembersList()) {
      MemberMetadata m =
          new MemberMetadata(
              mv.getMemberId(),
              mv.getGroupInstanceId(),
              mv.getClientId(),
              mv.getClientHost(),
              mv.getRebalanceTimeoutMs(),
              mv.getSessionTimeoutMs(),
              v.getProtocolType(),
              List.of(
                  JoinGroupProtocol.newBuilder()
                      .setName(v.getProtocol())
                      .setMetadata(mv.getSubscription())
                      .build()));
      m.assignment = mv.getAssignment();
      g.add(m);
      scheduleHeartbeatExpiration(g, m, m.sessionTimeoutMs);
    }
    if (hasMembers && g.has(v.getLeader())) {
      g.leaderId = v.getLeader();
    }
    g.subscribedTopics = g.computeSubscribedTopics();
    log.info(
        "Loaded group {} with generation {} in state {} ({} members)",
        groupId,
        g.generationId,
        g.state,
        g.size());
    return g;
  }

  @Override
  public void onResignation(int partition, int leaderEpoch) {
    synchronized (lock) {
      Ownership current = partitions.get(partition);
      if (current == null) {
        return;
      }
      if (leaderEpoch >= 0 && leaderEpoch < current.leaderEpoch()) {
        log.info(
            "Ignoring resignation of {}-{} at epoch {}: elected at epoch {}",
            OFFSETS_TOPIC,
            partition,
            leaderEpoch,
            current.leaderEpoch());
        return;
      }
      int n = unloadGroupsOf(partition);
      partitions.remove(partition);
      log.info("Unloaded {} groups of {}-{} (epoch {})", n, OFFSETS_TOPIC, partition, leaderEpoch);
    }
  }

  /** Drops the groups of {@code partition}, answering their waiting requests NOT_COORDINATOR. */
  private int unloadGroupsOf(int partition) {
    int n = 0;
    for (GroupMetadata g : new ArrayList<>(groups.values())) {
      if (g.partition != partition) {
        continue;
      }
      n++;
      log.debug("Unloading group metadata for {} with generation {}", g.groupId, g.generationId);
      for (MemberMetadata m : new ArrayList<>(g.members.values())) {
        m.maybeCompleteJoin(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        m.maybeCompleteSync(syncError(ErrorCode.NOT_COORDINATOR));
      }
      killGroup(g);
    }
    return n;
  }

  // ================================================================== helpers

  /** Kafka's {@code validateGroupStatus}: NONE when this broker may answer for the group now. */
  private ErrorCode groupStatus(String groupId) {
    if (groupId.isEmpty()) {
      return ErrorCode.INVALID_GROUP_ID;
    }
    if (!active) {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    Ownership o = partitions.get(store.partitionFor(groupId));
    if (o == null) {
      return ErrorCode.NOT_COORDINATOR;
    }
    return o.loading() ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  }

  /**
   * Kafka's {@code validateCurrentMember}: a static member's instance id must map to {@code
   * memberId} (else FENCED_INSTANCE_ID), and the member must exist (else UNKNOWN_MEMBER_ID).
   */
  private static ErrorCode validateCurrentMember(
      GroupMetadata group, String memberId, String groupInstanceId, String operation) {
    if (!groupInstanceId.isEmpty()) {
      String current = group.staticMemberId(groupInstanceId);
      if (current != null && !current.equals(memberId)) {
        log.info(
            "Static member {} of group {} with unknown member id {} is fenced by existing member"
                + " {} ({})",
            groupInstanceId,
            group.groupId,
            memberId,
            current,
            operation);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return group.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private static String fencedMessage(String instanceId) {
    return "a newer instance with group.instance.id " + instanceId + " joined the group";
  }

  private static JoinGroupResponse inconsistentProtocol(GroupMetadata group, JoinGroupRequest req) {
    return joinError(
        req.getMemberId(),
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        "protocol type "
            + req.getProtocolType()
            + " and protocols "
            + req.getProtocolsList().stream().map(JoinGroupProtocol::getName).toList()
            + " are incompatible with group "
            + group.groupId
            + " (protocol type "
            + group.protocolType
            + ")");
  }

  private static JoinGroupResponse joinError(String memberId, ErrorCode error) {
    return joinError(memberId, error, "");
  }

  private static JoinGroupResponse joinError(String memberId, ErrorCode error, String message) {
    return JoinGroupResponse.newBuilder()
        .setError(error)
        .setErrorMessage(message)
        .setMemberId(memberId)
        .setGenerationId(-1)
        .build();
  }

  private static SyncGroupResponse syncError(ErrorCode error) {
    return SyncGroupResponse.newBuilder().setError(error).build();
  }

  private long wallMs() {
    return time.milliseconds();
  }

  private long monoMs() {
    return time.hiResClockMs();
  }
}
