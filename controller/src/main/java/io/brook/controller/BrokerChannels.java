package io.brook.controller;

import io.brook.metadata.BrokerInfo;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The controller's way to send BrokerControlService requests to brokers. Implementations are
 * thread-safe; the controller calls them from its event thread and they must not block it.
 *
 * <p>A request is sent asynchronously and retried with back-off while its target broker (the same
 * registration: id and epoch) stays in the live set given by {@link #updateLiveBrokers} and until
 * {@link #abandonAll()}. The returned future completes with the broker's response (which may carry
 * an error code such as STALE_CONTROLLER_EPOCH), or exceptionally with {@link
 * BrokerUnreachableException} once the broker left the live set or the requests were abandoned.
 *
 * <p>Ordering: requests to one broker registration are delivered one at a time in the order of the
 * calls that made them; a request is sent only once the previous one to that broker was answered or
 * abandoned (a retry keeps its place). Brokers, on the other hand, are independent of each other.
 * An UpdateMetadata request still waiting when a full one for the same broker is made may be
 * dropped; its future then completes with the full one's outcome.
 */
public interface BrokerChannels extends AutoCloseable {

  /**
   * The brokers the controller considers live. Connections to brokers no longer listed (or listed
   * with another epoch) are closed and their pending requests fail.
   */
  void updateLiveBrokers(Collection<BrokerInfo> liveBrokers);

  CompletableFuture<LeaderAndIsrResponse> leaderAndIsr(
      BrokerInfo target, LeaderAndIsrRequest request);

  CompletableFuture<StopReplicaResponse> stopReplica(BrokerInfo target, StopReplicaRequest request);

  CompletableFuture<UpdateMetadataResponse> updateMetadata(
      BrokerInfo target, UpdateMetadataRequest request);

  /** Fails every pending request and stops retrying (the controller resigned). */
  void abandonAll();

  /** Closes every connection. Idempotent. */
  @Override
  void close();

  /** The target left the live set, or the controller abandoned its requests. */
  class BrokerUnreachableException extends RuntimeException {
    public BrokerUnreachableException(String message) {
      super(message);
    }
  }
}
