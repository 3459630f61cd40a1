package io.brook.broker.group;

import static io.brook.broker.group.GroupCoordinatorTest.GROUP;
import static io.brook.broker.group.GroupCoordinatorTest.joinReq;
import static io.brook.broker.group.GroupCoordinatorTest.protocol;
import static io.brook.broker.group.GroupCoordinatorTest.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.common.ThreadPoolScheduler;
import io.brook.common.Time;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.HeartbeatRequest;
import io.brook.protocol.v1.JoinGroupMember;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.LeaveGroupRequest;
import io.brook.protocol.v1.MemberIdentity;
import io.brook.protocol.v1.SyncGroupAssignment;
import io.brook.protocol.v1.SyncGroupRequest;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Members on their own threads rebalance repeatedly against a coordinator whose store completes
 * appends on another thread and whose timers run on a real scheduler: every request is answered,
 * and every member that completes a generation gets the assignment its leader computed for it.
 */
class GroupCoordinatorConcurrencyTest {
  static final int MEMBERS = 4;
  static final int ROUNDS = 5;
  static final long DEADLINE_S = 60;

  /** Appends complete NONE on a separate thread, as the replicated store does. */
  static final class AsyncStore implements GroupStore {
    final ExecutorService completer = Executors.newSingleThreadExecutor();

    @Override
    public int partitionFor(String groupId) {
      return 0;
    }

    @Override
    public CompletableFuture<ErrorCode> append(String groupId, List<GroupRecord> records) {
      return CompletableFuture.supplyAsync(() -> ErrorCode.NONE, completer);
    }
  }

  final Map<Integer, Set<String>> membersOfGeneration = new ConcurrentHashMap<>();

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(DEADLINE_S, TimeUnit.SECONDS);
  }

  /** One member: ROUNDS completed generations, each rejoining with new metadata; then leaves. */
  int runMember(GroupCoordinator c, String clientId) throws Exception {
    String memberId = "";
    int completed = 0;
    int lastGeneration = 0;
    while (completed < ROUNDS) {
      JoinGroupResponse j =
          await(
              c.joinGroup(
                  joinReq(GROUP, memberId, clientId)
                      .clearProtocols()
                      .addProtocols(protocol("range", subscription("t" + completed)))
                      .build(),
                  "/127.0.0.1"));
      if (j.getError() == ErrorCode.MEMBER_ID_REQUIRED) {
        memberId = j.getMemberId();
        continue;
      }
      if (j.getError() == ErrorCode.UNKNOWN_MEMBER_ID) {
        memberId = "";
        continue;
      }
      if (j.getError() != ErrorCode.NONE) {
        continue;
      }
      assertTrue(j.getGenerationId() > lastGeneration, "generations only move forward");
      lastGeneration = j.getGenerationId();
      SyncGroupRequest.Builder sync =
          SyncGroupRequest.newBuilder()
              .setGroupId(GROUP)
              .setGenerationId(j.getGenerationId())
              .setMemberId(memberId);
      if (j.getLeader().equals(memberId)) {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (JoinGroupMember m : j.getMembersList()) {
          ids.add(m.getMemberId());
          sync.addAssignments(
              SyncGroupAssignment.newBuilder()
                  .setMemberId(m.getMemberId())
                  .setAssignment(
                      ByteString.copyFromUtf8(j.getGenerationId() + "/" + m.getMemberId())));
        }
        membersOfGeneration.put(j.getGenerationId(), ids);
      }
      SyncGroupResponse s = await(c.syncGroup(sync.build()));
      if (s.getError() != ErrorCode.NONE) {
        continue;
      }
      assertEquals(j.getGenerationId() + "/" + memberId, s.getAssignment().toStringUtf8());
      assertTrue(membersOfGeneration.get(j.getGenerationId()).contains(memberId));
      for (int i = 0; i < 3; i++) {
        await(
            c.heartbeat(
                HeartbeatRequest.newBuilder()
                    .setGroupId(GROUP)
                    .setGenerationId(j.getGenerationId())
                    .setMemberId(memberId)
                    .build()));
      }
      completed++;
    }
    await(
        c.leaveGroup(
            LeaveGroupRequest.newBuilder()
                .setGroupId(GROUP)
                .addMembers(MemberIdentity.newBuilder().setMemberId(memberId))
                .build()));
    return completed;
  }

  @Test
  void membersRebalancingConcurrentlyAreAllAnsweredWithTheirOwnAssignments() throws Exception {
    AsyncStore store = new AsyncStore();
    ThreadPoolScheduler scheduler = new ThreadPoolScheduler("group-test", 1);
    GroupCoordinator c =
        new GroupCoordinator(GroupCoordinatorTest.CONFIG, store, Time.SYSTEM, scheduler);
    ExecutorService members = Executors.newFixedThreadPool(MEMBERS);
    try {
      c.startup();
      c.onElection(0, 0);
      c.onLoaded(0, 0, new GroupStore.LoadedPartition(0, Map.of(), Map.of()));
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < MEMBERS; i++) {
        String clientId = "c" + i;
        results.add(members.submit(() -> runMember(c, clientId)));
      }
      for (Future<Integer> r : results) {
        assertEquals(ROUNDS, r.get(DEADLINE_S * ROUNDS, TimeUnit.SECONDS));
      }
      assertTrue(membersOfGeneration.size() >= ROUNDS);
    } finally {
      members.shutdownNow();
      c.close();
      scheduler.close();
      store.completer.shutdownNow();
    }
  }
}
