package io.brook.client.consumer;

import com.google.protobuf.ByteString;
import io.brook.client.internals.ChannelFactory;
import io.brook.common.TopicPartition;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.v1.*;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process BrokerService for consumer-group tests: one broker (id 1) that leads every
 * partition and coordinates one group with a simplified version of Kafka's classic protocol
 * (MEMBER_ID_REQUIRED, a join barrier over every known member, leader's SyncGroup, heartbeats
 * answering REBALANCE_IN_PROGRESS, generation fencing, static members replacing their old id,
 * LeaveGroup, commits fenced by generation, commits from outside only while the group is empty).
 * Sessions never expire on their own: tests remove members with {@link #expire}. Errors can be
 * injected per call. Thread-safe: the group is guarded by {@code this}.
 */
final class FakeGroupBroker implements AutoCloseable {
  enum State {
    EMPTY,
    PREPARING_REBALANCE,
    COMPLETING_REBALANCE,
    STABLE
  }

  static final class Member {
    final String id;
    final String instanceId;
    List<JoinGroupProtocol> protocols;
    StreamObserver<JoinGroupResponse> pendingJoin;
    StreamObserver<SyncGroupResponse> pendingSync;
    ByteString assignment = ByteString.EMPTY;

    Member(String id, String instanceId) {
      this.id = id;
      this.instanceId = instanceId;
    }
  }

  final String name = "fake-group-" + System.nanoTime();
  final Map<String, Integer> topics = new ConcurrentHashMap<>();
  final Map<String, List<ByteBuffer>> logs = new ConcurrentHashMap<>();
  final Set<String> internalTopics = ConcurrentHashMap.newKeySet();

  final Queue<ErrorCode> findCoordinatorErrors = new ConcurrentLinkedQueue<>();
  final Queue<ErrorCode> joinErrors = new ConcurrentLinkedQueue<>();
  final Queue<ErrorCode> commitErrors = new ConcurrentLinkedQueue<>();

  /** When set, the next OffsetCommit waits for this latch before it is applied and answered. */
  final AtomicReference<CountDownLatch> holdNextCommit = new AtomicReference<>();

  final AtomicInteger heldCommits = new AtomicInteger();

  /** How long each FindCoordinator takes to answer. */
  volatile long findCoordinatorDelayMs;

  final Queue<ErrorCode> heartbeatErrors = new ConcurrentLinkedQueue<>();

  /** Heartbeats received. */
  final AtomicInteger heartbeats = new AtomicInteger();

  final List<JoinGroupRequest> joins = new CopyOnWriteArrayList<>();
  final List<LeaveGroupRequest> leaves = new CopyOnWriteArrayList<>();
  final List<OffsetCommitRequest> commits = new CopyOnWriteArrayList<>();
  final List<FindCoordinatorRequest> finds = new CopyOnWriteArrayList<>();

  /** FindCoordinator calls answered (after {@link #findCoordinatorDelayMs}). */
  final AtomicInteger findsAnswered = new AtomicInteger();

  // group state, guarded by this
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final java.util.Set<String> pendingMemberIds = new java.util.HashSet<>();
  private final Map<TopicPartition, OffsetCommitPartition> offsets = new HashMap<>();
  private State state = State.EMPTY;
  private int generation;
  private String leader = "";
  private String protocol = "";
  private int nextId = 1;
  private final Server server;

  FakeGroupBroker() throws IOException {
    server = InProcessServerBuilder.forName(name).addService(new Service()).build().start();
  }

  ChannelFactory channels() {
    return (host, port) -> InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  void createTopic(String topic, int partitions) {
    topics.put(topic, partitions);
  }

  /** Appends {@code count} records with values "v0".. to the partition. */
  synchronized void produce(String topic, int partition, int count) {
    List<ByteBuffer> log =
        logs.computeIfAbsent(topic + "-" + partition, k -> new CopyOnWriteArrayList<>());
    long base = logEnd(topic, partition);
    for (int i = 0; i < count; i++) {
      RecordBatchBuilder b =
          new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, base + i, 128);
      b.append(
          1L,
          null,
          ("v" + (base + i)).getBytes(StandardCharsets.UTF_8),
          new io.brook.common.Header[0]);
      log.add(b.build());
    }
  }

  synchronized long logEnd(String topic, int p) {
    long end = 0;
    for (ByteBuffer b : logs.getOrDefault(topic + "-" + p, List.of())) {
      end = RecordBatch.wrap(b).nextOffset();
    }
    return end;
  }

  synchronized State state() {
    return state;
  }

  synchronized int generation() {
    return generation;
  }

  synchronized java.util.Set<String> memberIds() {
    return new java.util.HashSet<>(members.keySet());
  }

  /** The committed offset, or -1. */
  synchronized long committed(TopicPartition tp) {
    OffsetCommitPartition p = offsets.get(tp);
    return p == null ? -1 : p.getCommittedOffset();
  }

  synchronized void commitDirectly(TopicPartition tp, long offset) {
    offsets.put(
        tp,
        OffsetCommitPartition.newBuilder()
            .setPartition(tp.partition())
            .setCommittedOffset(offset)
            .setCommittedLeaderEpoch(-1)
            .build());
  }

  /** A member's session expired: removed, the group rebalances. */
  synchronized void expire(String memberId) {
    removeMember(memberId);
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  // ------------------------------------------------------------------ group logic

  private void removeMember(String memberId) {
    Member m = members.remove(memberId);
    if (m == null) {
      return;
    }
    if (m.pendingJoin != null) {
      m.pendingJoin.onNext(
          JoinGroupResponse.newBuilder().setError(ErrorCode.UNKNOWN_MEMBER_ID).build());
      m.pendingJoin.onCompleted();
    }
    if (members.isEmpty()) {
      state = State.EMPTY;
      leader = "";
      return;
    }
    if (memberId.equals(leader)) {
      leader = "";
    }
    prepareRebalance();
    maybeCompleteJoin();
  }

  private void prepareRebalance() {
    if (state == State.COMPLETING_REBALANCE) {
      for (Member m : members.values()) {
        if (m.pendingSync != null) {
          m.pendingSync.onNext(
              SyncGroupResponse.newBuilder().setError(ErrorCode.REBALANCE_IN_PROGRESS).build());
          m.pendingSync.onCompleted();
          m.pendingSync = null;
        }
      }
    }
    state = State.PREPARING_REBALANCE;
  }

  private void maybeCompleteJoin() {
    if (state != State.PREPARING_REBALANCE || members.isEmpty()) {
      return;
    }
    for (Member m : members.values()) {
      if (m.pendingJoin == null) {
        return;
      }
    }
    generation++;
    if (leader.isEmpty() || !members.containsKey(leader)) {
      leader = members.keySet().iterator().next();
    }
    protocol = selectProtocol();
    state = State.COMPLETING_REBALANCE;
    for (Member m : members.values()) {
      m.assignment = ByteString.EMPTY;
      JoinGroupResponse.Builder r =
          JoinGroupResponse.newBuilder()
              .setGenerationId(generation)
              .setProtocolType("consumer")
              .setProtocolName(protocol)
              .setLeader(leader)
              .setMemberId(m.id);
      if (m.id.equals(leader)) {
        for (Member o : members.values()) {
          r.addMembers(
              JoinGroupMember.newBuilder()
                  .setMemberId(o.id)
                  .setGroupInstanceId(o.instanceId)
                  .setMetadata(metadataFor(o, protocol)));
        }
      }
      StreamObserver<JoinGroupResponse> out = m.pendingJoin;
      m.pendingJoin = null;
      out.onNext(r.build());
      out.onCompleted();
    }
  }

  private String selectProtocol() {
    for (JoinGroupProtocol p : members.get(leader).protocols) {
      boolean all = true;
      for (Member m : members.values()) {
        all &= m.protocols.stream().anyMatch(q -> q.getName().equals(p.getName()));
      }
      if (all) {
        return p.getName();
      }
    }
    throw new IllegalStateException("no common protocol");
  }

  private static ByteString metadataFor(Member m, String protocol) {
    for (JoinGroupProtocol p : m.protocols) {
      if (p.getName().equals(protocol)) {
        return p.getMetadata();
      }
    }
    return ByteString.EMPTY;
  }

  private synchronized void join(JoinGroupRequest req, StreamObserver<JoinGroupResponse> out) {
    joins.add(req);
    ErrorCode injected = joinErrors.poll();
    if (injected != null) {
      reply(out, JoinGroupResponse.newBuilder().setError(injected).build());
      return;
    }
    String id = req.getMemberId();
    String instance = req.getGroupInstanceId();
    if (id.isEmpty() && !instance.isEmpty()) {
      Member old = null;
      for (Member m : members.values()) {
        if (m.instanceId.equals(instance)) {
          old = m;
        }
      }
      String newId = instance + "-" + nextId++;
      if (old != null
          && state == State.STABLE
          && names(old.protocols).equals(names(req.getProtocolsList()))) {
        // static rejoin: the new id replaces the old one, same assignment, no rebalance
        members.remove(old.id);
        Member m = new Member(newId, instance);
        m.protocols = req.getProtocolsList();
        m.assignment = old.assignment;
        members.put(newId, m);
        boolean wasLeader = old.id.equals(leader);
        if (wasLeader) {
          leader = newId;
        }
        JoinGroupResponse.Builder r =
            JoinGroupResponse.newBuilder()
                .setGenerationId(generation)
                .setProtocolType("consumer")
                .setProtocolName(protocol)
                .setLeader(leader)
                .setMemberId(newId)
                .setSkipAssignment(wasLeader);
        reply(out, r.build());
        return;
      }
      if (old != null) {
        members.remove(old.id);
      }
      id = newId;
      Member m = new Member(id, instance);
      members.put(id, m);
    } else if (id.isEmpty()) {
      String newId = req.getClientId() + "-" + nextId++;
      pendingMemberIds.add(newId);
      reply(
          out,
          JoinGroupResponse.newBuilder()
              .setError(ErrorCode.MEMBER_ID_REQUIRED)
              .setMemberId(newId)
              .build());
      return;
    } else if (!members.containsKey(id) && !pendingMemberIds.remove(id)) {
      reply(out, JoinGroupResponse.newBuilder().setError(ErrorCode.UNKNOWN_MEMBER_ID).build());
      return;
    }
    Member m = members.computeIfAbsent(id, k -> new Member(k, instance));
    m.protocols = req.getProtocolsList();
    if (m.pendingJoin != null) {
      m.pendingJoin.onNext(
          JoinGroupResponse.newBuilder().setError(ErrorCode.REBALANCE_IN_PROGRESS).build());
      m.pendingJoin.onCompleted();
    }
    m.pendingJoin = out;
    if (state != State.PREPARING_REBALANCE) {
      prepareRebalance();
    }
    maybeCompleteJoin();
  }

  private synchronized void sync(SyncGroupRequest req, StreamObserver<SyncGroupResponse> out) {
    Member m = members.get(req.getMemberId());
    if (m == null) {
      reply(out, SyncGroupResponse.newBuilder().setError(ErrorCode.UNKNOWN_MEMBER_ID).build());
      return;
    }
    if (req.getGenerationId() != generation) {
      reply(out, SyncGroupResponse.newBuilder().setError(ErrorCode.ILLEGAL_GENERATION).build());
      return;
    }
    if (state == State.PREPARING_REBALANCE) {
      reply(out, SyncGroupResponse.newBuilder().setError(ErrorCode.REBALANCE_IN_PROGRESS).build());
      return;
    }
    if (state == State.STABLE) {
      reply(out, syncResponse(m));
      return;
    }
    m.pendingSync = out;
    if (m.id.equals(leader)) {
      for (SyncGroupAssignment a : req.getAssignmentsList()) {
        Member t = members.get(a.getMemberId());
        if (t != null) {
          t.assignment = a.getAssignment();
        }
      }
      state = State.STABLE;
    }
    if (state == State.STABLE) {
      for (Member o : members.values()) {
        if (o.pendingSync != null) {
          StreamObserver<SyncGroupResponse> s = o.pendingSync;
          o.pendingSync = null;
          reply(s, syncResponse(o));
        }
      }
    }
  }

  private SyncGroupResponse syncResponse(Member m) {
    return SyncGroupResponse.newBuilder()
        .setProtocolType("consumer")
        .setProtocolName(protocol)
        .setAssignment(m.assignment)
        .build();
  }

  private synchronized HeartbeatResponse heartbeat(HeartbeatRequest req) {
    heartbeats.incrementAndGet();
    ErrorCode injected = heartbeatErrors.poll();
    if (injected != null) {
      return HeartbeatResponse.newBuilder().setError(injected).build();
    }
    ErrorCode e;
    if (!members.containsKey(req.getMemberId())) {
      e = ErrorCode.UNKNOWN_MEMBER_ID;
    } else if (req.getGenerationId() != generation) {
      e = ErrorCode.ILLEGAL_GENERATION;
    } else if (state == State.PREPARING_REBALANCE) {
      e = ErrorCode.REBALANCE_IN_PROGRESS;
    } else {
      e = ErrorCode.NONE;
    }
    return HeartbeatResponse.newBuilder().setError(e).build();
  }

  private synchronized LeaveGroupResponse leave(LeaveGroupRequest req) {
    leaves.add(req);
    LeaveGroupResponse.Builder r = LeaveGroupResponse.newBuilder();
    for (MemberIdentity mi : req.getMembersList()) {
      boolean known = members.containsKey(mi.getMemberId());
      removeMember(mi.getMemberId());
      r.addMembers(
          LeaveGroupMemberResponse.newBuilder()
              .setMemberId(mi.getMemberId())
              .setError(known ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID));
    }
    return r.build();
  }

  private synchronized OffsetCommitResponse commit(OffsetCommitRequest req) {
    commits.add(req);
    ErrorCode e = commitErrors.poll();
    if (e == null) {
      if (req.getGenerationId() < 0 && req.getMemberId().isEmpty()) {
        e = members.isEmpty() ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
      } else if (!members.containsKey(req.getMemberId())) {
        e = ErrorCode.UNKNOWN_MEMBER_ID;
      } else if (req.getGenerationId() != generation) {
        e = ErrorCode.ILLEGAL_GENERATION;
      } else if (state == State.COMPLETING_REBALANCE) {
        e = ErrorCode.REBALANCE_IN_PROGRESS;
      } else {
        e = ErrorCode.NONE;
      }
    }
    OffsetCommitResponse.Builder r = OffsetCommitResponse.newBuilder();
    for (OffsetCommitTopic t : req.getTopicsList()) {
      OffsetCommitTopicResponse.Builder tr =
          OffsetCommitTopicResponse.newBuilder().setName(t.getName());
      for (OffsetCommitPartition p : t.getPartitionsList()) {
        if (e == ErrorCode.NONE) {
          offsets.put(new TopicPartition(t.getName(), p.getPartition()), p);
        }
        tr.addPartitions(
            OffsetCommitPartitionResponse.newBuilder().setPartition(p.getPartition()).setError(e));
      }
      r.addTopics(tr);
    }
    return r.build();
  }

  private synchronized OffsetFetchResponse offsetFetch(OffsetFetchRequest req) {
    OffsetFetchResponse.Builder r = OffsetFetchResponse.newBuilder();
    for (OffsetFetchTopic t : req.getTopicsList()) {
      OffsetFetchTopicResponse.Builder tr =
          OffsetFetchTopicResponse.newBuilder().setName(t.getName());
      for (int p : t.getPartitionsList()) {
        OffsetCommitPartition c = offsets.get(new TopicPartition(t.getName(), p));
        tr.addPartitions(
            OffsetFetchPartitionResponse.newBuilder()
                .setPartition(p)
                .setCommittedOffset(c == null ? -1 : c.getCommittedOffset())
                .setCommittedLeaderEpoch(-1)
                .setMetadata(c == null ? "" : c.getCommittedMetadata()));
      }
      r.addTopics(tr);
    }
    return r.build();
  }

  private static List<String> names(List<JoinGroupProtocol> ps) {
    return ps.stream().map(JoinGroupProtocol::getName).toList();
  }

  private static <T> void reply(StreamObserver<T> out, T value) {
    out.onNext(value);
    out.onCompleted();
  }

  // ------------------------------------------------------------------ the service

  private final class Service extends BrokerServiceGrpc.BrokerServiceImplBase {
    @Override
    public void metadata(MetadataRequest req, StreamObserver<MetadataResponse> out) {
      MetadataResponse.Builder r =
          MetadataResponse.newBuilder()
              .setClusterId("fake-cluster")
              .setControllerId(1)
              .addBrokers(BrokerEndpoint.newBuilder().setId(1).setHost("fakehost").setPort(9092));
      List<String> names =
          req.getAllTopics() ? new ArrayList<>(topics.keySet()) : req.getTopicsList();
      for (String t : names) {
        Integer n = topics.get(t);
        if (n == null) {
          r.addTopics(
              TopicMetadata.newBuilder().setName(t).setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
        TopicMetadata.Builder tm =
            TopicMetadata.newBuilder()
                .setName(t)
                .setTopicId("id-" + t)
                .setIsInternal(internalTopics.contains(t));
        for (int p = 0; p < n; p++) {
          tm.addPartitions(
              PartitionMetadata.newBuilder().setPartition(p).setLeader(1).addReplicas(1).addIsr(1));
        }
        r.addTopics(tm);
      }
      reply(out, r.build());
    }

    @Override
    public StreamObserver<FetchRequest> fetchStream(StreamObserver<FetchResponse> out) {
      return io.brook.client.internals.FakeBroker.fetchStreamOf(this::fetch, out);
    }

    @Override
    public void fetch(FetchRequest req, StreamObserver<FetchResponse> out) {
      FetchResponse.Builder r = FetchResponse.newBuilder();
      boolean any = false;
      for (FetchTopic t : req.getTopicsList()) {
        FetchTopicResponse.Builder tr = FetchTopicResponse.newBuilder().setTopic(t.getTopic());
        for (FetchPartition p : t.getPartitionsList()) {
          long end = logEnd(t.getTopic(), p.getPartition());
          FetchPartitionResponse.Builder pr =
              FetchPartitionResponse.newBuilder()
                  .setPartition(p.getPartition())
                  .setHighWatermark(end);
          if (p.getFetchOffset() > end) {
            pr.setError(ErrorCode.OFFSET_OUT_OF_RANGE);
          } else {
            ByteString.Output bytes = ByteString.newOutput();
            for (ByteBuffer b :
                logs.getOrDefault(t.getTopic() + "-" + p.getPartition(), List.of())) {
              RecordBatch rb = RecordBatch.wrap(b);
              if (rb.lastOffset() < p.getFetchOffset()) {
                continue;
              }
              byte[] arr = new byte[b.remaining()];
              b.duplicate().get(arr);
              bytes.write(arr, 0, arr.length);
              any = true;
            }
            pr.setRecords(bytes.toByteString());
          }
          tr.addPartitions(pr);
        }
        r.addTopics(tr);
      }
      if (!any && req.getMaxWaitMs() > 0) {
        try {
          Thread.sleep(Math.min(req.getMaxWaitMs(), 10)); // a short long-poll, as a broker would
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      reply(out, r.build());
    }

    @Override
    public void listOffsets(ListOffsetsRequest req, StreamObserver<ListOffsetsResponse> out) {
      ListOffsetsResponse.Builder r = ListOffsetsResponse.newBuilder();
      for (ListOffsetsTopic t : req.getTopicsList()) {
        ListOffsetsTopicResponse.Builder tr =
            ListOffsetsTopicResponse.newBuilder().setTopic(t.getTopic());
        for (ListOffsetsPartition p : t.getPartitionsList()) {
          long offset = p.getTimestamp() == -2 ? 0 : logEnd(t.getTopic(), p.getPartition());
          tr.addPartitions(
              ListOffsetsPartitionResponse.newBuilder()
                  .setPartition(p.getPartition())
                  .setOffset(offset)
                  .setTimestamp(-1));
        }
        r.addTopics(tr);
      }
      reply(out, r.build());
    }

    @Override
    public void findCoordinator(
        FindCoordinatorRequest req, StreamObserver<FindCoordinatorResponse> out) {
      finds.add(req);
      if (findCoordinatorDelayMs > 0) {
        try {
          Thread.sleep(findCoordinatorDelayMs); // a slow first connection, on a server thread
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      findsAnswered.incrementAndGet();
      ErrorCode e = findCoordinatorErrors.poll();
      if (e != null) {
        reply(out, FindCoordinatorResponse.newBuilder().setError(e).build());
        return;
      }
      reply(
          out,
          FindCoordinatorResponse.newBuilder()
              .setCoordinator(
                  BrokerEndpoint.newBuilder().setId(1).setHost("fakehost").setPort(9092))
              .build());
    }

    @Override
    public void joinGroup(JoinGroupRequest req, StreamObserver<JoinGroupResponse> out) {
      join(req, out);
    }

    @Override
    public void syncGroup(SyncGroupRequest req, StreamObserver<SyncGroupResponse> out) {
      sync(req, out);
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
      reply(out, FakeGroupBroker.this.heartbeat(req));
    }

    @Override
    public void leaveGroup(LeaveGroupRequest req, StreamObserver<LeaveGroupResponse> out) {
      reply(out, FakeGroupBroker.this.leave(req));
    }

    @Override
    public void offsetCommit(OffsetCommitRequest req, StreamObserver<OffsetCommitResponse> out) {
      CountDownLatch gate = holdNextCommit.getAndSet(null);
      if (gate != null) {
        heldCommits.incrementAndGet();
        try {
          gate.await(); // on this server thread; other calls go on
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      reply(out, FakeGroupBroker.this.commit(req));
    }

    @Override
    public void offsetFetch(OffsetFetchRequest req, StreamObserver<OffsetFetchResponse> out) {
      reply(out, FakeGroupBroker.this.offsetFetch(req));
    }
  }
}
