package io.brook.broker.replica.fetcher;

import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.ReplicaFetchResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link ReplicaFetcher} needs from the network: the Replicate stream and the
 * OffsetForLeaderEpoch call to one leader broker ({@link GrpcLeaderConnection} over gRPC). Keeps
 * the fetcher free of gRPC types.
 *
 * <p>Thread rules: implementations deliver every {@link StreamListener} callback and complete every
 * future on the executor the fetcher gave them (its own thread), never concurrently.
 */
public interface LeaderConnection extends AutoCloseable {

  /** Callbacks of one Replicate stream. */
  interface StreamListener {
    /** The stream can take a request now (gRPC flow control). */
    void onReady();

    void onResponse(ReplicaFetchResponse response);

    /** The stream ended (failed, or closed by the leader); no callback follows. */
    void onClosed(Throwable cause);
  }

  /** The follower's end of one Replicate stream. */
  interface FetchStream {
    /** Whether {@link #send} would not buffer (gRPC flow control). */
    boolean isReady();

    void send(ReplicaFetchRequest request);

    /** Asks for the next response (manual inbound flow control). */
    void requestNext();

    /** Ends the stream; {@link StreamListener#onClosed} may still be called. */
    void cancel(String reason);
  }

  /** Opens a new Replicate stream. */
  FetchStream openStream(StreamListener listener);

  /** One OffsetForLeaderEpoch call with a deadline of {@code timeoutMs}. */
  CompletableFuture<OffsetForLeaderEpochResponse> offsetForLeaderEpoch(
      OffsetForLeaderEpochRequest request, long timeoutMs);

  /** Releases the connection; open streams end. Idempotent. */
  @Override
  void close();

  /** Opens connections to leader brokers. */
  @FunctionalInterface
  interface Factory {
    /**
     * @param callbackExecutor the executor every callback of the connection must run on
     */
    LeaderConnection connect(
        io.brook.protocol.v1.BrokerEndpoint leader, java.util.concurrent.Executor callbackExecutor);

    /**
     * The thread a fetcher named {@code name} runs its events on, later given to {@link #connect}
     * as its callback executor. By default a plain thread; a transport may return one of its own
     * I/O threads.
     */
    default EventThread newEventThread(String name) {
      return EventThread.newThread(name);
    }
  }
}
