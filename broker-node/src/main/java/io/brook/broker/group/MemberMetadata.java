package io.brook.broker.group;

import com.google.protobuf.ByteString;
import io.brook.protocol.v1.JoinGroupProtocol;
import io.brook.protocol.v1.JoinGroupResponse;
import io.brook.protocol.v1.SyncGroupResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One member of a classic group (Kafka's {@code MemberMetadata}): who it is, what it supports, its
 * assignment and the requests it has waiting.
 *
 * <p>Invariants: {@link #supportedProtocols} is non-empty and in the member's order of preference;
 * {@link #awaitingJoin} is set only while the group is PreparingRebalance (or for a static member
 * rejoining while Stable, until its store completes); {@link #awaitingSync} only while
 * CompletingRebalance. {@link #memberId} changes only when a static member is replaced by a new
 * instance with the same {@code group.instance.id}.
 *
 * <p>Thread rules: not thread-safe; guarded by the {@link GroupCoordinator}'s lock.
 */
final class MemberMetadata {
  String memberId;
  final String groupInstanceId;
  final String clientId;
  final String clientHost;
  final int rebalanceTimeoutMs;
  final int sessionTimeoutMs;
  final String protocolType;
  List<JoinGroupProtocol> supportedProtocols;
  ByteString assignment = ByteString.EMPTY;

  /** The JoinGroup waiting for the rebalance to complete, or null. */
  CompletableFuture<JoinGroupResponse> awaitingJoin;

  /** The SyncGroup waiting for the leader's assignment, or null. */
  CompletableFuture<SyncGroupResponse> awaitingSync;

  /** True from the member's first join until its first JoinGroup response. */
  boolean isNew;

  /** Monotonic ms after which the member is expired unless it heartbeats (or is rebalancing). */
  long heartbeatDeadlineMs;

  /** When the scheduled expiration check runs (monotonic ms), or Long.MAX_VALUE if none. */
  long expirationCheckAtMs = Long.MAX_VALUE;

  ScheduledFuture<?> expirationTask;

  MemberMetadata(
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      int rebalanceTimeoutMs,
      int sessionTimeoutMs,
      String protocolType,
      List<JoinGroupProtocol> supportedProtocols) {
    this.memberId = memberId;
    this.groupInstanceId = groupInstanceId == null ? "" : groupInstanceId;
    this.clientId = clientId;
    this.clientHost = clientHost;
    this.rebalanceTimeoutMs = rebalanceTimeoutMs;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.protocolType = protocolType;
    this.supportedProtocols = List.copyOf(supportedProtocols);
  }

  boolean isStaticMember() {
    return !groupInstanceId.isEmpty();
  }

  boolean isAwaitingJoin() {
    return awaitingJoin != null;
  }

  boolean isAwaitingSync() {
    return awaitingSync != null;
  }

  /** The member's metadata for {@code protocol}; throws if it does not support it. */
  ByteString metadata(String protocol) {
    for (JoinGroupProtocol p : supportedProtocols) {
      if (p.getName().equals(protocol)) {
        return p.getMetadata();
      }
    }
    throw new IllegalArgumentException(
        "member " + memberId + " does not support protocol " + protocol);
  }

  List<String> protocolNames() {
    List<String> names = new ArrayList<>(supportedProtocols.size());
    for (JoinGroupProtocol p : supportedProtocols) {
      names.add(p.getName());
    }
    return names;
  }

  /** The member's first protocol that is among {@code candidates} (its vote). */
  String vote(java.util.Set<String> candidates) {
    for (JoinGroupProtocol p : supportedProtocols) {
      if (candidates.contains(p.getName())) {
        return p.getName();
      }
    }
    throw new IllegalArgumentException("member " + memberId + " supports none of " + candidates);
  }

  /** True if {@code protocols} equal the member's (same names, order and metadata). */
  boolean matches(List<JoinGroupProtocol> protocols) {
    return supportedProtocols.equals(protocols);
  }

  /** Completes the waiting JoinGroup, if any, with {@code response}. */
  boolean maybeCompleteJoin(JoinGroupResponse response) {
    CompletableFuture<JoinGroupResponse> f = awaitingJoin;
    if (f == null) {
      return false;
    }
    awaitingJoin = null;
    f.complete(response);
    return true;
  }

  /** Completes the waiting SyncGroup, if any, with {@code response}. */
  boolean maybeCompleteSync(SyncGroupResponse response) {
    CompletableFuture<SyncGroupResponse> f = awaitingSync;
    if (f == null) {
      return false;
    }
    awaitingSync = null;
    f.complete(response);
    return true;
  }

  @Override
  public String toString() {
    return "MemberMetadata(memberId="
        + memberId
        + ", groupInstanceId="
        + groupInstanceId
        + ", clientId="
        + clientId
        + ", clientHost="
        + clientHost
        + ", sessionTimeoutMs="
        + sessionTimeoutMs
        + ", rebalanceTimeoutMs="
        + rebalanceTimeoutMs
        + ", supportedProtocols="
        + protocolNames()
        + ")";
  }
}
