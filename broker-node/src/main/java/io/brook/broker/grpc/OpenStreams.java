package io.brook.broker.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The long-lived server streams of one service (Produce, Replicate) that are open now, so that a
 * broker shutting down can end them itself instead of waiting for clients that never hang up:
 * {@link #drainAll} when the server stops accepting calls, {@link #endAll} before it cancels what
 * is left. Both end the streams with {@link #SHUTTING_DOWN} (UNAVAILABLE: the client retries at
 * once, with the partition's new leader).
 *
 * <p>Invariant: once {@link #drainAll} or {@link #endAll} was called, every stream registered
 * before or after is drained (or ended) too, so a call accepted just before the server stopped
 * accepting cannot stay open. Thread-safe.
 */
final class OpenStreams {
  static final StatusRuntimeException SHUTTING_DOWN =
      Status.UNAVAILABLE
          .withDescription("The broker is shutting down; retry with another broker")
          .asRuntimeException();

  /** A server stream that can be ended by the broker. Both methods are idempotent. */
  interface Stream {
    /**
     * Takes no new requests; ends with {@code status} once the requests already taken are answered
     * (at once when there are none).
     */
    void drain(StatusRuntimeException status);

    /** Ends now with {@code status}; answers not sent yet are dropped. */
    void end(StatusRuntimeException status);
  }

  private enum Mode {
    SERVING,
    DRAINING,
    ENDED
  }

  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.SERVING);

  /** Registers a new stream; drains or ends it at once when the broker is shutting down. */
  void add(Stream s) {
    streams.add(s);
    // Read after the add: either drainAll/endAll sees s in the set or this sees their mode.
    switch (mode.get()) {
      case SERVING -> {}
      case DRAINING -> s.drain(SHUTTING_DOWN);
      case ENDED -> s.end(SHUTTING_DOWN);
    }
  }

  /** Forgets a stream that ended (by either side). */
  void remove(Stream s) {
    streams.remove(s);
  }

  /** Drains every open stream and every one registered from now on. */
  void drainAll() {
    mode.compareAndSet(Mode.SERVING, Mode.DRAINING);
    for (Stream s : streams) {
      s.drain(SHUTTING_DOWN);
    }
  }

  /** Ends every open stream and every one registered from now on. */
  void endAll() {
    mode.set(Mode.ENDED);
    for (Stream s : streams) {
      s.end(SHUTTING_DOWN);
    }
  }

  /** How many streams are open (tests). */
  int size() {
    return streams.size();
  }
}
