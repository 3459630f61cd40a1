package io.brook.client.consumer.internals;

import io.brook.client.common.Cluster;
import io.brook.client.common.Node;
import io.brook.client.common.errors.ApiException;
import io.brook.client.common.errors.InterruptException;
import io.brook.client.common.errors.RetriableException;
import io.brook.client.consumer.CommitFailedException;
import io.brook.client.consumer.ConsumerGroupMetadata;
import io.brook.client.consumer.ConsumerPartitionAssignor;
import io.brook.client.consumer.ConsumerPartitionAssignor.Assignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.GroupAssignment;
import io.brook.client.consumer.ConsumerPartitionAssignor.GroupSubscription;
import io.brook.client.consumer.ConsumerPartitionAssignor.RebalanceProtocol;
import io.brook.client.consumer.ConsumerPartitionAssignor.Subscription;
import io.brook.client.consumer.ConsumerRebalanceListener;
import io.brook.client.consumer.OffsetAndMetadata;
import io.brook.client.consumer.WakeupException;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ErrorMapping;
import io.brook.client.internals.Metadata;
import io.brook.common.Time;
import io.brook.common.TopicPartition;
import io.brook.protocol.v1.CoordinatorType;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FindCoordinatorRequest;
import io.brook.protocol.v1.FindCoordinatorResponse;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.HeartbeatResponse;
import io.brook.protocol.v1.JoinGroupMember;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.JoinGroupRequest;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.MemberIdentity;
import io.brook.protocol.v1.SyncGroupAssignment;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The consumer's side of the group protocol, as Kafka's {@code ConsumerCoordinator} and {@code
 * AbstractCoordinator}: finds the group's coordinator, joins (JoinGroup with the KIP-394
 * MEMBER_ID_REQUIRED round trip, then SyncGroup; the leader runs the assignor the coordinator
 * chose), invokes the {@link ConsumerRebalanceListener} (eager: revoke everything before joining;
 * cooperative, KIP-429: revoke only what moved, then join again), heartbeats from a background
 * thread that also enforces {@code max.poll.interval.ms}, commits and fetches offsets, and leaves
 * the group on unsubscribe / close (dynamic members only: a static member keeps its place until its
 * session times out).
 *
 * <p>Member states: UNJOINED -> PREPARING_REBALANCE (JoinGroup sent) -> COMPLETING_REBALANCE
 * (SyncGroup sent) -> STABLE; any fencing error (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION), a poll
 * timeout or a leave resets the generation to -1 and the state to UNJOINED; the partitions still
 * owned then are reported lost at the next poll.
 *
 * <p>Invariants: partitions are assigned (in the {@link Fetcher}) only by the polling thread, and
 * only after the matching listener callback ran; a commit from a group-managed member carries the
 * generation of a STABLE member or is refused locally; the heartbeat thread never touches the
 * assignment nor calls the listener.
 *
 * <p>Thread rules: every public method except {@link #wakeup} is called by the consumer's polling
 * thread. The heartbeat thread and gRPC callbacks share the membership fields, guarded by {@code
 * this}; no lock is held during a blocking call.
 */
public final class ConsumerCoordinator implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ConsumerCoordinator.class);

  /** Member states, as Kafka's {@code AbstractCoordinator.MemberState}. */
  public enum MemberState {
    UNJOINED,
    PREPARING_REBALANCE,
    COMPLETING_REBALANCE,
    STABLE
  }

  /** The settings the coordinator needs (already validated by ConsumerConfig). */
  public record Settings(
      String groupId,
      Optional<String> groupInstanceId,
      String clientId,
      String rackId,
      int sessionTimeoutMs,
      int heartbeatIntervalMs,
      int maxPollIntervalMs,
      int requestTimeoutMs,
      long retryBackoffMs,
      boolean autoCommitEnabled,
      int autoCommitIntervalMs,
      boolean excludeInternalTopics,
      Long defaultResetTo) {}

  private final Settings settings;
  private final List<ConsumerPartitionAssignor> assignors;
  private final RebalanceProtocol protocol;
  private final BrokerChannels channels;
  private final Metadata metadata;
  private final Fetcher fetcher;
  private final Time time;
  private final Heartbeat heartbeat;
  private final HeartbeatThread heartbeatThread;
  private final ConsumerOffsets offsets;

  // ---- membership, guarded by this
  private Node coordinator;
  private MemberState state = MemberState.UNJOINED;
  private int generation = -1;
  private String memberId = "";
  private String protocolName;
  private boolean rejoinNeeded = true;
  private String rejoinReason = "";
  private boolean needsJoinPrepare = true;
  private boolean leader;
  private RuntimeException fatalError;
  private boolean closed;

  // ---- polling thread only
  private Set<String> subscription = Set.of();
  private Pattern pattern;
  private ConsumerRebalanceListener listener;
  private boolean autoAssigned;
  private int lastMetadataVersion = -1;
  private Set<String> groupTopics = Set.of();
  private Map<String, Integer> assignmentSnapshot;
  private CompletableFuture<JoinGroupResponse> pendingJoin;
  // @GuardedBy("this"): the FindCoordinator in flight, shared by the polling and heartbeat threads
  private FindCall pendingFind;
  private CompletableFuture<SyncGroupResponse> pendingSync;
  private int pendingSyncGeneration;

  public ConsumerCoordinator(
      Settings settings,
      List<ConsumerPartitionAssignor> assignors,
      BrokerChannels channels,
      Metadata metadata,
      Fetcher fetcher,
      Time time) {
    this.settings = settings;
    this.assignors = List.copyOf(assignors);
    this.protocol = Assignors.protocol(assignors);
    this.channels = channels;
    this.metadata = metadata;
    this.fetcher = fetcher;
    this.time = time;
    long now = time.hiResClockMs();
    this.heartbeat =
        new Heartbeat(
            settings.sessionTimeoutMs(),
            settings.heartbeatIntervalMs(),
            settings.maxPollIntervalMs(),
            settings.retryBackoffMs(),
            now);
    this.offsets = new ConsumerOffsets(this, settings, channels, fetcher, time);
    this.heartbeatThread = new HeartbeatThread();
  }

  // ------------------------------------------------------------------ subscription

  /** Subscribes to these topics (auto-assigned partitions); a change rejoins at the next poll. */
  public void subscribe(Set<String> topics, ConsumerRebalanceListener listener) {
    this.pattern = null;
    this.listener = listener;
    this.autoAssigned = true;
    metadata.setAllTopics(false);
    changeSubscription(new TreeSet<>(topics));
  }

  /** Subscribes to every topic matching {@code pattern}, re-matched at each metadata refresh. */
  public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
    this.pattern = pattern;
    this.listener = listener;
    this.autoAssigned = true;
    metadata.setAllTopics(true);
    lastMetadataVersion = -1;
    metadata.requestUpdate();
    changeSubscription(matching(metadata.fetch()));
  }

  private void changeSubscription(Set<String> topics) {
    if (!topics.equals(subscription)) {
      LOG.info("Subscribed to topic(s): {}", String.join(", ", topics));
      subscription = Set.copyOf(topics);
      requestRejoin("subscription changed to " + new TreeSet<>(topics));
    }
    updateMetadataTopics();
  }

  private void updateMetadataTopics() {
    Set<String> all = new HashSet<>(subscription);
    all.addAll(groupTopics);
    for (TopicPartition tp : fetcher.assignment()) {
      all.add(tp.topic());
    }
    metadata.setTopics(all);
  }

  private Set<String> matching(Cluster cluster) {
    Set<String> out = new TreeSet<>();
    for (String t : cluster.topics()) {
      if (settings.excludeInternalTopics() && cluster.internalTopics().contains(t)) {
        continue;
      }
      if (pattern.matcher(t).matches()) {
        out.add(t);
      }
    }
    return out;
  }

  public Set<String> subscription() {
    return subscription;
  }

  public boolean isAutoAssigned() {
    return autoAssigned;
  }

  /**
   * True when poll() should keep fetching while a rebalance goes on: a cooperative member keeps its
   * partitions through the rebalance, so it must not block on the join.
   */
  public boolean fetchesDuringRebalance() {
    return protocol == RebalanceProtocol.COOPERATIVE && !fetcher.assignment().isEmpty();
  }

  public RebalanceProtocol rebalanceProtocol() {
    return protocol;
  }

  /** Revokes the owned partitions (listener first), leaves the group, clears the subscription. */
  public void unsubscribe(long deadlineMs) {
    if (autoAssigned) {
      onLeavePrepare();
      maybeLeaveGroup("the consumer unsubscribed from all topics", deadlineMs);
    }
    autoAssigned = false;
    pattern = null;
    listener = null;
    subscription = Set.of();
    groupTopics = Set.of();
    assignmentSnapshot = null;
    metadata.setAllTopics(false);
  }

  // ------------------------------------------------------------------ poll

  /**
   * One round of group work, at the start of every consumer poll: completed commit callbacks,
   * metadata change detection, coordinator discovery, (re)joining, auto-commit. Returns false when
   * {@code deadlineMs} passed first (the join goes on at the next poll).
   */
  public boolean poll(long deadlineMs) {
    offsets.invokeCompletedOffsetCommitCallbacks();
    throwFatalError();
    long now = time.hiResClockMs();
    synchronized (this) {
      heartbeat.poll(now);
    }
    if (autoAssigned) {
      heartbeatThread.startOnce();
      checkMetadataChanges();
      if (rejoinNeededOrPending()) {
        if (!joinGroupIfNeeded(deadlineMs)) {
          return false;
        }
      } else if (coordinatorUnknown() && !ensureCoordinatorReady(deadlineMs)) {
        return false;
      }
    } else if (settings.autoCommitEnabled() && coordinatorUnknown()) {
      // manual assignment: find the coordinator for the auto-commits, without blocking long
      ensureCoordinatorReady(Math.min(deadlineMs, now + settings.retryBackoffMs()));
    }
    offsets.maybeAutoCommitOffsetsAsync(time.hiResClockMs());
    return true;
  }

  private void throwFatalError() {
    RuntimeException e;
    synchronized (this) {
      e = fatalError;
      fatalError = null;
    }
    if (e != null) {
      throw e;
    }
  }

  /** Pattern: topics created or deleted; leader: partition counts of the group's topics. */
  private void checkMetadataChanges() {
    Cluster cluster = metadata.fetch();
    int version = metadata.version();
    if (version == lastMetadataVersion) {
      return;
    }
    lastMetadataVersion = version;
    if (pattern != null) {
      changeSubscription(matching(cluster));
    }
    boolean isLeader;
    synchronized (this) {
      isLeader = leader && state == MemberState.STABLE;
    }
    if (isLeader && assignmentSnapshot != null) {
      Map<String, Integer> now = partitionCounts(groupTopics, cluster);
      if (!now.equals(assignmentSnapshot)) {
        requestRejoin(
            "cached metadata has changed from "
                + assignmentSnapshot
                + " at the beginning of the"
                + " rebalance to "
                + now);
      }
    }
  }

  private static Map<String, Integer> partitionCounts(Set<String> topics, Cluster cluster) {
    Map<String, Integer> out = new TreeMap<>();
    for (String t : topics) {
      Integer n = cluster.partitionCountForTopic(t);
      if (n != null && n > 0) {
        out.put(t, n);
      }
    }
    return out;
  }

  public synchronized void requestRejoin(String reason) {
    if (!rejoinNeeded) {
      LOG.info("Request joining group due to: {}", reason);
    }
    rejoinNeeded = true;
    rejoinReason = reason;
  }

  private synchronized boolean rejoinNeededOrPending() {
    return rejoinNeeded || pendingJoin != null || pendingSync != null;
  }

  /** Rebalance requested by the application (a no-op without a subscription). */
  public void enforceRebalance(String reason) {
    if (autoAssigned) {
      requestRejoin(reason == null ? "rebalance enforced by user" : reason);
    }
  }

  // ------------------------------------------------------------------ coordinator discovery

  public synchronized boolean coordinatorUnknown() {
    return coordinator == null;
  }

  public synchronized Node coordinator() {
    return coordinator;
  }

  synchronized void markCoordinatorUnknown(String cause) {
    if (coordinator != null) {
      LOG.info(
          "Group coordinator {} is unavailable or invalid due to cause: {}. Rediscovery will be"
              + " attempted.",
          coordinator,
          cause);
      coordinator = null;
    }
  }

  /** Finds the coordinator, retrying with retry.backoff.ms until {@code deadlineMs}. */
  boolean ensureCoordinatorReady(long deadlineMs) {
    while (coordinatorUnknown()) {
      if (time.hiResClockMs() >= deadlineMs) {
        return false;
      }
      if (!lookupCoordinator(deadlineMs)) {
        backoff(deadlineMs);
      }
    }
    return true;
  }

  /**
   * One FindCoordinator to any broker. Retriable failures return false; others throw.
   *
   * @return true when the coordinator is known
   */
  private boolean lookupCoordinator(long deadlineMs) {
    FindCall find = findCoordinatorCall();
    FindCoordinatorResponse r;
    try {
      r = await(find.response(), deadlineMs);
    } catch (StatusRuntimeException e) {
      return findFailed(find, e);
    }
    return r != null && found(find, r); // null: still in flight at the caller's deadline
  }

  /**
   * {@link #lookupCoordinator} for the heartbeat thread: it shares the call in flight, but is not
   * woken by {@link #wakeup} (the application's, for its own poll) and stops when interrupted.
   */
  private boolean lookupCoordinatorFromHeartbeat(long deadlineMs) throws InterruptedException {
    FindCall find = findCoordinatorCall();
    FindCoordinatorResponse r;
    try {
      r = find.response().get(Math.max(1, deadlineMs - time.hiResClockMs()), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return findFailed(find, statusOf(e));
    }
    return found(find, r);
  }

  /** A FindCoordinator to any broker, and where it went. */
  private record FindCall(Node node, CompletableFuture<FindCoordinatorResponse> response) {}

  /**
   * The FindCoordinator in flight, or a new one. The call gets request.timeout.ms, whatever the
   * caller's deadline: a poll(100 ms) on a fresh client must not cut short the first call on a
   * channel still connecting, and throw away that work (each of the bootstrap brokers in turn). An
   * unfinished call is awaited again by the next lookup.
   */
  private synchronized FindCall findCoordinatorCall() {
    if (pendingFind == null) {
      Node node = metadata.anyNode();
      pendingFind =
          new FindCall(
              node,
              GrpcCalls.unary(
                  o ->
                      channels
                          .asyncStub(node)
                          .withDeadlineAfter(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                          .findCoordinator(
                              FindCoordinatorRequest.newBuilder()
                                  .setKey(settings.groupId())
                                  .setKeyType(CoordinatorType.GROUP)
                                  .build(),
                              o)));
    }
    return pendingFind;
  }

  private synchronized void findDone(FindCall find) {
    if (pendingFind == find) {
      pendingFind = null;
    }
  }

  private boolean findFailed(FindCall find, StatusRuntimeException e) {
    LOG.debug("FindCoordinator to {} failed: {}", find.node(), e.getStatus());
    findDone(find);
    metadata.requestUpdate();
    return false;
  }

  /** Takes the answer of {@code find}. Retriable errors return false; others throw. */
  private boolean found(FindCall find, FindCoordinatorResponse r) {
    findDone(find);
    if (r.getError() != ErrorCode.NONE) {
      ApiException e = ErrorMapping.exception(r.getError(), r.getErrorMessage());
      if (e instanceof RetriableException) {
        LOG.debug("FindCoordinator of group {} failed: {}", settings.groupId(), e.getMessage());
        return false;
      }
      throw e;
    }
    Node found =
        new Node(
            r.getCoordinator().getId(),
            r.getCoordinator().getHost(),
            r.getCoordinator().getPort(),
            r.getCoordinator().getRack());
    synchronized (this) {
      if (coordinator == null || !coordinator.equals(found)) {
        LOG.info("Discovered group coordinator {}", found);
      }
      coordinator = found;
      heartbeat.resetSessionTimeout(time.hiResClockMs());
      notifyAll();
    }
    return true;
  }

  void backoff(long deadlineMs) {
    long ms = Math.min(settings.retryBackoffMs(), deadlineMs - time.hiResClockMs());
    if (ms <= 0) {
      return;
    }
    try {
      time.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException("interrupted", e);
    }
  }

  // ------------------------------------------------------------------ join / sync

  /**
   * Joins until the member is STABLE with nothing left to rejoin for, or {@code deadlineMs}.
   *
   * @return true when joined
   */
  boolean joinGroupIfNeeded(long deadlineMs) {
    while (rejoinNeededOrPending()) {
      if (!ensureCoordinatorReady(deadlineMs)) {
        return false;
      }
      boolean prepare;
      int gen;
      String member;
      synchronized (this) {
        prepare = needsJoinPrepare && pendingJoin == null && pendingSync == null;
        needsJoinPrepare = false;
        gen = generation;
        member = memberId;
      }
      if (prepare) {
        if (gen >= 0 && !member.isEmpty() && !offsets.maybeAutoCommitOffsetsSync(deadlineMs)) {
          // the commit before revoking did not finish in this poll: try again at the next one
          synchronized (this) {
            needsJoinPrepare = true;
          }
          return false;
        }
        onJoinPrepare(gen, member);
      }
      if (pendingJoin == null && pendingSync == null) {
        sendJoinGroup();
      }
      if (pendingJoin != null) {
        JoinGroupResponse r;
        try {
          r = await(pendingJoin, deadlineMs);
        } catch (StatusRuntimeException e) {
          pendingJoin = null;
          failedRound("JoinGroup failed: " + e.getStatus(), true);
          backoff(deadlineMs);
          continue;
        }
        if (r == null) {
          return false;
        }
        pendingJoin = null;
        if (!handleJoinResponse(r, deadlineMs)) {
          continue;
        }
      }
      if (pendingSync != null) {
        SyncGroupResponse s;
        try {
          s = await(pendingSync, deadlineMs);
        } catch (StatusRuntimeException e) {
          pendingSync = null;
          failedRound("SyncGroup failed: " + e.getStatus(), true);
          backoff(deadlineMs);
          continue;
        }
        if (s == null) {
          return false;
        }
        pendingSync = null;
        if (handleSyncResponse(s, deadlineMs)) {
          onJoinComplete(s);
        }
      }
    }
    return true;
  }

  /** A join or sync round failed: back to UNJOINED, to rejoin. */
  private synchronized void failedRound(String why, boolean coordinatorGone) {
    if (coordinatorGone) {
      markCoordinatorUnknown(why);
    }
    if (state != MemberState.STABLE) {
      state = MemberState.UNJOINED;
    }
    rejoinNeeded = true;
  }

  /**
   * Waits for {@code f} until the deadline, in slices so that a wakeup() is noticed.
   *
   * @return the response, or null at the deadline
   * @throws StatusRuntimeException when the call failed
   */
  <T> T await(CompletableFuture<T> f, long deadlineMs) {
    while (true) {
      if (fetcher.consumeWakeup()) {
        throw new WakeupException();
      }
      long left = deadlineMs - time.hiResClockMs();
      try {
        return f.get(Math.max(0, Math.min(left, 50)), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        if (left <= 0) {
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptException("interrupted while joining the group", e);
      } catch (ExecutionException e) {
        throw statusOf(e);
      }
    }
  }

  private static StatusRuntimeException statusOf(ExecutionException e) {
    return e.getCause() instanceof StatusRuntimeException s
        ? s
        : new StatusRuntimeException(io.grpc.Status.fromThrowable(e.getCause()));
  }

  private void sendJoinGroup() {
    Node node;
    JoinGroupRequest.Builder req;
    synchronized (this) {
      node = coordinator;
      state = MemberState.PREPARING_REBALANCE;
      rejoinNeeded = false;
      req =
          JoinGroupRequest.newBuilder()
              .setGroupId(settings.groupId())
              .setSessionTimeoutMs(settings.sessionTimeoutMs())
              .setRebalanceTimeoutMs(settings.maxPollIntervalMs())
              .setMemberId(memberId)
              .setGroupInstanceId(settings.groupInstanceId().orElse(""))
              .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
              .setReason(rejoinReason)
              .setClientId(settings.clientId());
      LOG.info(
          "(Re-)joining group {} as member '{}' (reason: {})",
          settings.groupId(),
          memberId,
          rejoinReason);
    }
    List<String> topics = new ArrayList<>(new TreeSet<>(subscription));
    List<TopicPartition> owned = sorted(fetcher.assignment());
    int gen = generationSnapshot();
    for (ConsumerPartitionAssignor a : assignors) {
      Subscription s =
          new Subscription(
              topics,
              a.subscriptionUserData(Set.copyOf(topics)),
              owned,
              gen,
              settings.rackId().isEmpty() ? Optional.empty() : Optional.of(settings.rackId()));
      req.addProtocols(
          JoinGroupProtocol.newBuilder()
              .setName(a.name())
              .setMetadata(
                  com.google.protobuf.ByteString.copyFrom(
                      ConsumerProtocol.serializeSubscription(s))));
    }
    long deadline = (long) settings.maxPollIntervalMs() + settings.requestTimeoutMs();
    JoinGroupRequest built = req.build();
    pendingJoin =
        GrpcCalls.unary(
            o ->
                channels
                    .asyncStub(node)
                    .withDeadlineAfter(deadline, TimeUnit.MILLISECONDS)
                    .joinGroup(built, o));
  }

  private synchronized int generationSnapshot() {
    return generation;
  }

  static List<TopicPartition> sorted(Collection<TopicPartition> tps) {
    List<TopicPartition> l = new ArrayList<>(tps);
    l.sort(
        (a, b) ->
            a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
    return l;
  }

  /**
   * @return true when a SyncGroup was sent; false to go round the join loop again
   */
  private boolean handleJoinResponse(JoinGroupResponse r, long deadlineMs) {
    ErrorCode code = r.getError();
    switch (code) {
      case NONE -> {
        boolean isLeader;
        synchronized (this) {
          if (state != MemberState.PREPARING_REBALANCE) {
            // left the group meanwhile (poll timeout, close): this join is void
            rejoinNeeded = true;
            return false;
          }
          generation = r.getGenerationId();
          memberId = r.getMemberId();
          protocolName = r.getProtocolName();
          leader = r.getLeader().equals(r.getMemberId());
          isLeader = leader;
          state = MemberState.COMPLETING_REBALANCE;
          heartbeat.resetTimeouts(time.hiResClockMs());
          notifyAll();
          LOG.info(
              "Successfully joined group {} with generation Generation{{generationId={},"
                  + " memberId='{}', protocol='{}'}}{}",
              settings.groupId(),
              generation,
              memberId,
              protocolName,
              isLeader ? " as the leader" : "");
        }
        List<SyncGroupAssignment> assignments =
            isLeader ? onLeaderElected(r, deadlineMs) : List.of();
        sendSyncGroup(r, assignments);
        return true;
      }
      case MEMBER_ID_REQUIRED -> {
        synchronized (this) {
          memberId = r.getMemberId();
          state = MemberState.UNJOINED;
          rejoinNeeded = true;
        }
        LOG.debug("Group {} requires a member id: joining again as {}", settings.groupId(), r);
        return false;
      }
      case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
        resetGeneration("JoinGroup failed with " + code, code == ErrorCode.UNKNOWN_MEMBER_ID);
        return false;
      }
      case REBALANCE_IN_PROGRESS, COORDINATOR_LOAD_IN_PROGRESS -> {
        failedRound(code.name(), false);
        backoff(deadlineMs);
        return false;
      }
      case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE -> {
        failedRound(code.name(), true);
        backoff(deadlineMs);
        return false;
      }
      default -> {
        failedRound(code.name(), false);
        ApiException e = ErrorMapping.exception(code, r.getErrorMessage());
        LOG.error("JoinGroup of group {} failed: {}", settings.groupId(), e.getMessage());
        throw e;
      }
    }
  }

  private void sendSyncGroup(JoinGroupResponse join, List<SyncGroupAssignment> assignments) {
    Node node;
    SyncGroupRequest req;
    synchronized (this) {
      node = coordinator;
      if (node == null) {
        failedRound("coordinator unknown before SyncGroup", false);
        return;
      }
      req =
          SyncGroupRequest.newBuilder()
              .setGroupId(settings.groupId())
              .setGenerationId(generation)
              .setMemberId(memberId)
              .setGroupInstanceId(settings.groupInstanceId().orElse(""))
              .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
              .setProtocolName(join.getProtocolName())
              .addAllAssignments(assignments)
              .build();
      pendingSyncGeneration = generation;
    }
    pendingSync =
        GrpcCalls.unary(
            o ->
                channels
                    .asyncStub(node)
                    .withDeadlineAfter(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                    .syncGroup(req, o));
  }

  /**
   * @return true when the member is now STABLE with the assignment in {@code s}
   */
  private boolean handleSyncResponse(SyncGroupResponse s, long deadlineMs) {
    ErrorCode code = s.getError();
    switch (code) {
      case NONE -> {
        synchronized (this) {
          if (state != MemberState.COMPLETING_REBALANCE || generation != pendingSyncGeneration) {
            rejoinNeeded = true;
            return false;
          }
          state = MemberState.STABLE;
          LOG.info(
              "Successfully synced group {} in generation Generation{{generationId={},"
                  + " memberId='{}', protocol='{}'}}",
              settings.groupId(),
              generation,
              memberId,
              protocolName);
          notifyAll();
        }
        return true;
      }
      case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
        resetGeneration("SyncGroup failed with " + code, code == ErrorCode.UNKNOWN_MEMBER_ID);
        return false;
      }
      case REBALANCE_IN_PROGRESS -> {
        failedRound("group is already rebalancing", false);
        return false;
      }
      case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE -> {
        failedRound(code.name(), true);
        backoff(deadlineMs);
        return false;
      }
      default -> {
        failedRound(code.name(), false);
        throw ErrorMapping.exception(code, s.getErrorMessage());
      }
    }
  }

  private ConsumerPartitionAssignor assignor(String name) {
    for (ConsumerPartitionAssignor a : assignors) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    throw new IllegalStateException("Coordinator selected invalid assignment protocol: " + name);
  }

  /** The leader's part: decode every member's subscription and run the chosen assignor. */
  private List<SyncGroupAssignment> onLeaderElected(JoinGroupResponse r, long deadlineMs) {
    ConsumerPartitionAssignor assignor = assignor(r.getProtocolName());
    Map<String, Subscription> subs = new LinkedHashMap<>();
    Set<String> allTopics = new TreeSet<>();
    for (JoinGroupMember m : r.getMembersList()) {
      Subscription s =
          ConsumerProtocol.deserializeSubscription(m.getMetadata().toByteArray())
              .withGroupInstanceId(
                  m.getGroupInstanceId().isEmpty()
                      ? Optional.empty()
                      : Optional.of(m.getGroupInstanceId()));
      subs.put(m.getMemberId(), s);
      allTopics.addAll(s.topics());
    }
    groupTopics = allTopics;
    updateMetadataTopics();
    if (r.getSkipAssignment()) {
      // a static leader rejoined without a rebalance: the coordinator keeps the assignment
      LOG.info("Skipping assignment for group {}: the assignment is unchanged", settings.groupId());
      assignmentSnapshot = partitionCounts(allTopics, metadata.fetch());
      return List.of();
    }
    Cluster cluster = metadata.fetch();
    if (!metadata.topics().containsAll(allTopics) || missingTopics(allTopics, cluster)) {
      int v = metadata.requestUpdate();
      long wait =
          Math.max(1, Math.min(settings.requestTimeoutMs(), deadlineMs - time.hiResClockMs()));
      metadata.awaitUpdate(v, wait);
      cluster = metadata.fetch();
    }
    assignmentSnapshot = partitionCounts(allTopics, cluster);
    lastMetadataVersion = metadata.version();
    LOG.info(
        "Performing assignment for group {} using strategy {} with subscriptions {}",
        settings.groupId(),
        assignor.name(),
        subs);
    GroupAssignment ga = assignor.assign(cluster, new GroupSubscription(subs));
    if (protocol == RebalanceProtocol.COOPERATIVE) {
      validateCooperativeAssignment(subs, ga);
    }
    List<SyncGroupAssignment> out = new ArrayList<>();
    for (Map.Entry<String, Assignment> e : ga.groupAssignment().entrySet()) {
      out.add(
          SyncGroupAssignment.newBuilder()
              .setMemberId(e.getKey())
              .setAssignment(
                  com.google.protobuf.ByteString.copyFrom(
                      ConsumerProtocol.serializeAssignment(e.getValue())))
              .build());
    }
    LOG.info("Finished assignment for group {}: {}", settings.groupId(), ga.groupAssignment());
    return out;
  }

  private static boolean missingTopics(Set<String> topics, Cluster cluster) {
    for (String t : topics) {
      if (cluster.partitionCountForTopic(t) == null) {
        return true;
      }
    }
    return false;
  }

  /**
   * KIP-429's rule: a partition owned by one member may not be given to another in the same
   * generation (it must be revoked first, and assigned in the next rebalance).
   */
  static void validateCooperativeAssignment(Map<String, Subscription> subs, GroupAssignment ga) {
    Map<TopicPartition, String> ownedBy = new HashMap<>();
    subs.forEach((m, s) -> s.ownedPartitions().forEach(tp -> ownedBy.put(tp, m)));
    for (Map.Entry<String, Assignment> e : ga.groupAssignment().entrySet()) {
      for (TopicPartition tp : e.getValue().partitions()) {
        String owner = ownedBy.get(tp);
        if (owner != null && !owner.equals(e.getKey())) {
          throw new IllegalStateException(
              "Assignor supporting the COOPERATIVE protocol violates its requirements: partition "
                  + tp
                  + " is owned by "
                  + owner
                  + " and assigned to "
                  + e.getKey()
                  + " in the same rebalance");
        }
      }
    }
  }

  /** Before (re)joining (after the auto-commit): revoke (eager: everything) or report lost. */
  private void onJoinPrepare(int gen, String member) {
    Set<TopicPartition> owned = fetcher.assignment();
    RuntimeException failure = null;
    if (gen < 0 || member.isEmpty()) {
      if (!owned.isEmpty()) {
        LOG.info(
            "Giving away all assigned partitions as lost since generation/memberID has been reset,"
                + " indicating that consumer is in old state or no longer part of the group: {}",
            sorted(owned));
        failure = invokeLost(owned);
      }
      assign(Set.of());
    } else if (protocol == RebalanceProtocol.EAGER) {
      LOG.info("Revoke previously assigned partitions {}", sorted(owned));
      failure = invokeRevoked(owned);
      assign(Set.of());
    } else {
      Set<TopicPartition> revoked = new HashSet<>();
      for (TopicPartition tp : owned) {
        if (!subscription.contains(tp.topic())) {
          revoked.add(tp);
        }
      }
      if (!revoked.isEmpty()) {
        LOG.info("Revoke previously assigned partitions {}", sorted(revoked));
        failure = invokeRevoked(revoked);
        Set<TopicPartition> keep = new HashSet<>(owned);
        keep.removeAll(revoked);
        assign(keep);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void onJoinComplete(SyncGroupResponse s) {
    int gen;
    String member;
    String proto;
    synchronized (this) {
      gen = generation;
      member = memberId;
      proto = protocolName;
      needsJoinPrepare = true;
      if (!leader) {
        assignmentSnapshot = null;
        groupTopics = Set.of();
      }
    }
    ConsumerPartitionAssignor assignor = assignor(proto);
    Assignment assignment = ConsumerProtocol.deserializeAssignment(s.getAssignment().toByteArray());
    Set<TopicPartition> assigned = new HashSet<>(assignment.partitions());
    for (TopicPartition tp : assigned) {
      if (!subscription.contains(tp.topic())) {
        // our subscription changed while joining: take nothing, join again with the new one
        LOG.info(
            "We received an assignment {} that doesn't match our current subscription {}; it is"
                + " likely that the subscription has changed since we joined the group. Will try"
                + " re-join the group with current subscription",
            sorted(assigned),
            subscription);
        requestRejoin("received an assignment that doesn't match the current subscription");
        return;
      }
    }
    Set<TopicPartition> owned = fetcher.assignment();
    Set<TopicPartition> added = new HashSet<>(assigned);
    added.removeAll(owned);
    Set<TopicPartition> revoked = new HashSet<>(owned);
    revoked.removeAll(assigned);
    RuntimeException failure = null;
    if (!revoked.isEmpty()) {
      // cooperative: commit what was consumed from them, then give them up
      Map<TopicPartition, OffsetAndMetadata> consumed = offsets.allConsumed();
      consumed.keySet().retainAll(revoked);
      if (settings.autoCommitEnabled() && !consumed.isEmpty()) {
        offsets.tryCommitSync(consumed, time.hiResClockMs() + settings.requestTimeoutMs());
      }
      LOG.info("Revoke previously assigned partitions {}", sorted(revoked));
      // the callback runs while the partitions are still assigned (it may read their positions
      // and commit them, as in Kafka); the assignment changes only after it
      failure = invokeRevoked(revoked);
      Set<TopicPartition> keep = new HashSet<>(owned);
      keep.removeAll(revoked);
      assign(keep);
    }
    assign(assigned);
    LOG.info("Notifying assignor about the new {}", assignment);
    assignor.onAssignment(
        assignment,
        new ConsumerGroupMetadata(settings.groupId(), gen, member, settings.groupInstanceId()));
    LOG.info("Adding newly assigned partitions: {}", sorted(added));
    RuntimeException f2 = invokeAssigned(added);
    if (failure == null) {
      failure = f2;
    }
    if (!revoked.isEmpty()) {
      requestRejoin("need to revoke partitions " + sorted(revoked) + " and re-join");
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Sets the fetcher's assignment: new partitions wait for their committed offset. */
  private void assign(Set<TopicPartition> partitions) {
    fetcher.assign(partitions, null);
    updateMetadataTopics();
  }

  private RuntimeException invokeRevoked(Set<TopicPartition> tps) {
    if (listener == null || tps.isEmpty()) {
      return null;
    }
    try {
      listener.onPartitionsRevoked(sorted(tps));
      return null;
    } catch (WakeupException | InterruptException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.error(
          "User provided listener {} failed on invocation of onPartitionsRevoked", listener, e);
      return e;
    }
  }

  private RuntimeException invokeLost(Set<TopicPartition> tps) {
    if (listener == null || tps.isEmpty()) {
      return null;
    }
    try {
      listener.onPartitionsLost(sorted(tps));
      return null;
    } catch (WakeupException | InterruptException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.error("User provided listener {} failed on invocation of onPartitionsLost", listener, e);
      return e;
    }
  }

  private RuntimeException invokeAssigned(Set<TopicPartition> tps) {
    if (listener == null) {
      return null;
    }
    try {
      listener.onPartitionsAssigned(sorted(tps));
      return null;
    } catch (WakeupException | InterruptException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.error(
          "User provided listener {} failed on invocation of onPartitionsAssigned", listener, e);
      return e;
    }
  }

  /** Fencing: forget the generation (and the member id); partitions owned are lost. */
  private synchronized void resetGeneration(String reason, boolean resetMemberId) {
    LOG.info("Resetting generation {}due to: {}", resetMemberId ? "and member id " : "", reason);
    generation = -1;
    if (resetMemberId) {
      memberId = "";
    }
    state = MemberState.UNJOINED;
    leader = false;
    rejoinNeeded = true;
    needsJoinPrepare = true;
  }

  /** Leaving: partitions owned are revoked (or lost, when fenced already). */
  private void onLeavePrepare() {
    Set<TopicPartition> owned = fetcher.assignment();
    boolean lost;
    synchronized (this) {
      lost = generation < 0 || memberId.isEmpty();
    }
    RuntimeException failure = null;
    if (!owned.isEmpty()) {
      if (lost) {
        LOG.info("Giving away all assigned partitions as lost: {}", sorted(owned));
        failure = invokeLost(owned);
      } else {
        LOG.info("Revoke previously assigned partitions {}", sorted(owned));
        failure = invokeRevoked(owned);
      }
    }
    assign(Set.of());
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Sends LeaveGroup if this is a dynamic member of the group (a static member keeps its place
   * until its session expires), then forgets the generation and member id.
   */
  void maybeLeaveGroup(String reason, long deadlineMs) {
    Node node;
    String member;
    boolean send;
    synchronized (this) {
      node = coordinator;
      member = memberId;
      send =
          settings.groupInstanceId().isEmpty()
              && node != null
              && state != MemberState.UNJOINED
              && !member.isEmpty();
    }
    if (send) {
      LOG.info(
          "Member {} sending LeaveGroup request to coordinator {} due to {}", member, node, reason);
      long left =
          Math.max(1, Math.min(deadlineMs - time.hiResClockMs(), settings.requestTimeoutMs()));
      try {
        channels
            .blockingStub(node)
            .withDeadlineAfter(left, TimeUnit.MILLISECONDS)
            .leaveGroup(
                LeaveGroupRequest.newBuilder()
                    .setGroupId(settings.groupId())
                    .addMembers(MemberIdentity.newBuilder().setMemberId(member).setReason(reason))
                    .build());
      } catch (StatusRuntimeException e) {
        LOG.debug("LeaveGroup of {} failed: {}", member, e.getStatus());
      }
    }
    synchronized (this) {
      resetGeneration("consumer pro-actively leaving the group", true);
    }
  }

  // ------------------------------------------------------------------ offsets

  /** The generation and member id a commit carries. */
  record CommitGeneration(int generation, String memberId) {}

  /** The generation a commit carries; refused locally while a group member is not STABLE. */
  synchronized CommitGeneration commitGeneration() {
    if (!autoAssigned) {
      return new CommitGeneration(-1, "");
    }
    if (state == MemberState.STABLE) {
      return new CommitGeneration(generation, memberId);
    }
    if (state == MemberState.UNJOINED) {
      throw new CommitFailedException(
          "Offset commit cannot be completed since the consumer is not part of an active group"
              + " for auto partition assignment; it is likely that the consumer was kicked out of"
              + " the group.");
    }
    throw new CommitFailedException(
        "Offset commit cannot be completed since the consumer is undergoing a rebalance for auto"
            + " partition assignment. You can try completing the rebalance by calling poll() and"
            + " then retry the operation.");
  }

  /** After a fencing error on a commit made with {@code g}, unless the member moved on since. */
  synchronized void resetGenerationIfUnchanged(
      CommitGeneration g, String reason, boolean resetMemberId) {
    if (generation == g.generation() && memberId.equals(g.memberId())) {
      resetGeneration(reason, resetMemberId);
    }
  }

  /** The group's offsets: commits, committed offsets, auto-commit. */
  public ConsumerOffsets offsets() {
    return offsets;
  }

  // ------------------------------------------------------------------ group metadata, close

  public synchronized ConsumerGroupMetadata groupMetadata() {
    return new ConsumerGroupMetadata(
        settings.groupId(), generation, memberId, settings.groupInstanceId());
  }

  public synchronized MemberState state() {
    return state;
  }

  /**
   * Final auto-commit, revocation and LeaveGroup (dynamic members), within {@code deadlineMs}; then
   * stops the heartbeat thread. Idempotent.
   */
  public void close(long deadlineMs) {
    try {
      if (!coordinatorUnknown() || autoAssigned) {
        offsets.maybeAutoCommitOffsetsSync(deadlineMs);
      }
      if (autoAssigned) {
        onLeavePrepare();
        maybeLeaveGroup("the consumer is being closed", deadlineMs);
      }
      offsets.awaitAsyncCommits(deadlineMs);
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    heartbeatThread.shutdown();
  }

  // ------------------------------------------------------------------ heartbeat thread

  /**
   * Sends heartbeats while the member is COMPLETING_REBALANCE or STABLE, and leaves the group when
   * the application did not poll for max.poll.interval.ms. Started at the first poll of a
   * subscribed consumer; stopped by close().
   */
  private final class HeartbeatThread extends Thread {
    private boolean started;

    HeartbeatThread() {
      super("brook-coordinator-heartbeat-thread | " + settings.groupId());
      setDaemon(true);
    }

    synchronized void startOnce() {
      if (!started) {
        started = true;
        start();
      }
    }

    void shutdown() {
      synchronized (this) {
        if (!started) {
          return;
        }
      }
      interrupt();
      try {
        join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void run() {
      LOG.debug("Heartbeat thread started");
      try {
        while (true) {
          if (!runOnce()) {
            return;
          }
        }
      } catch (InterruptedException e) {
        // closing
      } catch (RuntimeException e) {
        LOG.error("Heartbeat thread failed due to unexpected error", e);
        synchronized (ConsumerCoordinator.this) {
          fatalError = e;
        }
      } finally {
        LOG.debug("Heartbeat thread has closed");
      }
    }

    /**
     * @return false to stop
     */
    private boolean runOnce() throws InterruptedException {
      Node node;
      HeartbeatRequest req;
      int gen;
      String member;
      synchronized (ConsumerCoordinator.this) {
        if (closed) {
          return false;
        }
        boolean enabled = state == MemberState.STABLE || state == MemberState.COMPLETING_REBALANCE;
        long now = time.hiResClockMs();
        if (!enabled) {
          ConsumerCoordinator.this.wait(100);
          return true;
        }
        if (coordinator == null) {
          node = null;
          req = null;
          gen = -1;
          member = null;
        } else if (heartbeat.sessionTimeoutExpired(now)) {
          markCoordinatorUnknown("session timed out without receiving a heartbeat response");
          return true;
        } else if (heartbeat.pollTimeoutExpired(now)) {
          LOG.warn(
              "consumer poll timeout has expired. This means the time between subsequent calls to"
                  + " poll() was longer than the configured max.poll.interval.ms, which typically"
                  + " implies that the poll loop is spending too much time processing messages."
                  + " You can address this either by increasing max.poll.interval.ms or by"
                  + " reducing the maximum size of batches returned in poll() with"
                  + " max.poll.records.");
          node = null;
          req = null;
          gen = -2; // leave, below, outside the lock
          member = null;
        } else if (!heartbeat.shouldHeartbeat(now)) {
          ConsumerCoordinator.this.wait(
              Math.max(1, Math.min(heartbeat.timeToNextHeartbeat(now), 100)));
          return true;
        } else {
          node = coordinator;
          gen = generation;
          member = memberId;
          heartbeat.sentHeartbeat(now);
          req =
              HeartbeatRequest.newBuilder()
                  .setGroupId(settings.groupId())
                  .setGenerationId(generation)
                  .setMemberId(memberId)
                  .setGroupInstanceId(settings.groupInstanceId().orElse(""))
                  .build();
        }
      }
      if (gen == -2) {
        maybeLeaveGroup(
            "consumer poll timeout has expired.",
            time.hiResClockMs() + settings.requestTimeoutMs());
        return true;
      }
      if (req == null) {
        if (!lookupCoordinatorFromHeartbeat(time.hiResClockMs() + settings.requestTimeoutMs())) {
          Thread.sleep(0); // interruption point
          synchronized (ConsumerCoordinator.this) {
            ConsumerCoordinator.this.wait(Math.max(1, settings.retryBackoffMs()));
          }
        }
        return true;
      }
      HeartbeatResponse r;
      try {
        r =
            channels
                .blockingStub(node)
                .withDeadlineAfter(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS)
                .heartbeat(req);
      } catch (StatusRuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
          return false;
        }
        synchronized (ConsumerCoordinator.this) {
          heartbeat.failHeartbeat(time.hiResClockMs());
          markCoordinatorUnknown("heartbeat failed: " + e.getStatus());
        }
        return true;
      }
      handleHeartbeatResponse(r, gen, member);
      return true;
    }
  }

  private synchronized void handleHeartbeatResponse(HeartbeatResponse r, int gen, String member) {
    long now = time.hiResClockMs();
    ErrorCode code = r.getError();
    switch (code) {
      case NONE -> heartbeat.receiveHeartbeat(now);
      case REBALANCE_IN_PROGRESS -> {
        heartbeat.receiveHeartbeat(now);
        if (state == MemberState.STABLE) {
          requestRejoin("group is already rebalancing");
        }
      }
      case ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID -> {
        heartbeat.receiveHeartbeat(now);
        if (generation == gen && memberId.equals(member)) {
          LOG.info("Attempt to heartbeat with generation {} failed: {}", gen, code);
          resetGeneration("Heartbeat failed with " + code, code == ErrorCode.UNKNOWN_MEMBER_ID);
        }
      }
      case FENCED_INSTANCE_ID -> {
        heartbeat.receiveHeartbeat(now);
        if (generation == gen) {
          LOG.error(
              "Received fatal exception: group.instance.id {} is fenced by another member",
              settings.groupInstanceId().orElse(""));
          fatalError = ErrorMapping.exception(code, r.getErrorMessage());
          resetGeneration("fenced instance id", true);
        }
      }
      case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE -> {
        heartbeat.failHeartbeat(now);
        markCoordinatorUnknown(code.name());
      }
      default -> {
        heartbeat.failHeartbeat(now);
        LOG.debug("Heartbeat failed with {}: {}", code, r.getErrorMessage());
      }
    }
  }

  /** Wakes a poll waiting for the group (delegated to the fetcher's wakeup flag). */
  public synchronized void wakeup() {
    notifyAll();
  }
}
