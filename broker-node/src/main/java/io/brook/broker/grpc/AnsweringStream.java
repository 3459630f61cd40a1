package io.brook.broker.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * The part Produce and FetchStream share: a long-lived server stream that answers the requests it
 * took, and that the broker can drain or end ({@link OpenStreams}).
 *
 * <p>It ends once nothing taken is unanswered and nothing more will be taken: completed when the
 * client half-closed, else with the drain status. A client that goes away (error or cancel) ends it
 * at once, and answers still in flight are dropped. Subclasses count the requests they took in
 * {@link #inFlight}, check {@link #taking()} before taking one, and call {@link
 * #endIfAnsweredLocked} after each answer.
 *
 * <p>Thread rules: everything that touches the outbound observer holds {@link #lock}, since it is
 * not thread-safe.
 */
abstract class AnsweringStream<ReqT, RespT> implements StreamObserver<ReqT>, OpenStreams.Stream {
  protected final ServerCallStreamObserver<RespT> out;
  private final OpenStreams openStreams;
  protected final Object lock = new Object();

  // @GuardedBy("lock"): requests taken and not answered yet
  protected int inFlight;
  // @GuardedBy("lock")
  private boolean halfClosed;
  // @GuardedBy("lock"); non-null once drained: the status to end with
  protected StatusRuntimeException drainStatus;
  // @GuardedBy("lock")
  protected boolean done;

  AnsweringStream(ServerCallStreamObserver<RespT> out, OpenStreams openStreams) {
    this.out = out;
    this.openStreams = openStreams;
    out.disableAutoRequest();
    out.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            markDoneLocked();
          }
        });
  }

  /** Registers the stream with {@link OpenStreams}; the last step of a subclass's constructor. */
  protected final void register() {
    openStreams.add(this);
  }

  /** Whether a new request may be taken: neither ended nor drained. Holds {@link #lock}. */
  protected final boolean taking() {
    return !done && drainStatus == null;
  }

  /** Whether more requests should be asked for (not drained, and the client sends more). */
  protected final boolean wantsMoreLocked() {
    return drainStatus == null && !halfClosed;
  }

  @Override
  public final void onError(Throwable t) {
    synchronized (lock) {
      markDoneLocked(); // the client went away; answers in flight are dropped
    }
  }

  @Override
  public final void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      endIfAnsweredLocked();
    }
  }

  @Override
  public final void drain(StatusRuntimeException status) {
    synchronized (lock) {
      if (done || drainStatus != null) {
        return;
      }
      drainStatus = status;
      endIfAnsweredLocked();
    }
  }

  @Override
  public final void end(StatusRuntimeException status) {
    synchronized (lock) {
      if (done) {
        return;
      }
      markDoneLocked();
      try {
        out.onError(status);
      } catch (RuntimeException e) {
        // cancelled meanwhile
      }
    }
  }

  /**
   * Ends the stream once nothing taken is unanswered and no more will be taken: completed when the
   * client half-closed, else with the drain status.
   */
  protected final void endIfAnsweredLocked() {
    if (done || inFlight > 0 || (!halfClosed && drainStatus == null)) {
      return;
    }
    markDoneLocked();
    try {
      if (halfClosed) {
        out.onCompleted();
      } else {
        out.onError(drainStatus);
      }
    } catch (RuntimeException e) {
      // cancelled meanwhile
    }
  }

  protected final void markDoneLocked() {
    done = true;
    openStreams.remove(this);
  }
}
