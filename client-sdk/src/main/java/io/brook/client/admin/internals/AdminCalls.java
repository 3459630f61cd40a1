package io.brook.client.admin.internals;

import io.brook.client.common.Node;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.RetriableException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.internals.BrokerChannels;
import io.brook.client.internals.ErrorMapping;
import io.brook.common.Time;
import io.brook.protocol.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs admin calls one after the other on the admin client's own thread. Each call goes to a broker
 * (the bootstrap addresses in turn, moving on after a failure), with a deadline of {@code
 * request.timeout.ms} per attempt; retriable failures (network errors, NOT_CONTROLLER, a handler
 * throwing a {@link RetriableException}) are retried after {@code retry.backoff.ms} until the
 * call's own timeout, counted from {@link #submit} (so time queued behind other calls counts).
 * Every attempt carries a gRPC deadline within the call's, so no call outlives its timeout.
 * Thread-safe: {@link #submit} from any thread.
 */
public final class AdminCalls {
  private static final Logger LOG = LogManager.getLogger(AdminCalls.class);

  /** One RPC on a blocking stub. */
  @FunctionalInterface
  public interface Rpc<R> {
    R call(BrokerServiceBlockingStub stub);
  }

  /**
   * An attempt that may talk to more than one broker: {@code any} is a stub of the broker this
   * attempt was given (a bootstrap address), {@code stubs} gives stubs of other brokers (a group's
   * coordinator, a partition's leader), each with this attempt's deadline.
   */
  @FunctionalInterface
  public interface RoutedRpc<R> {
    R call(BrokerServiceBlockingStub any, Stubs stubs);
  }

  /** Stubs of given brokers, with the deadline of the current attempt. */
  @FunctionalInterface
  public interface Stubs {
    BrokerServiceBlockingStub to(Node node);
  }

  private final BrokerChannels channels;
  private final List<Node> nodes;
  private final int requestTimeoutMs;
  private final long retryBackoffMs;
  private final Time time;
  private final ExecutorService executor;
  private int cursor;

  public AdminCalls(
      BrokerChannels channels,
      List<Node> nodes,
      int requestTimeoutMs,
      long retryBackoffMs,
      Time time) {
    this.channels = channels;
    this.nodes = List.copyOf(nodes);
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
    this.time = time;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "brook-admin-client-thread");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Queues a call. {@code handler} processes the response (it may throw a RetriableException to ask
   * for another attempt); {@code onFailure} gets the final error (a TimeoutException naming the
   * last error once {@code timeoutMs} passed).
   */
  public <R> void submit(
      String name,
      long timeoutMs,
      Rpc<R> rpc,
      Function<R, Void> handler,
      Consumer<BrookException> onFailure) {
    submitRouted(name, timeoutMs, (any, stubs) -> rpc.call(any), handler, onFailure);
  }

  /**
   * As {@link #submit}, for a call whose attempt talks to several brokers (FindCoordinator on any
   * broker, then the coordinator). A network failure of any of them fails the attempt, which is
   * retried from the start (the coordinator is found again) if retriable.
   */
  public <R> void submitRouted(
      String name,
      long timeoutMs,
      RoutedRpc<R> rpc,
      Function<R, Void> handler,
      Consumer<BrookException> onFailure) {
    // The call's time starts now, as in Kafka: time spent queued behind other calls counts.
    long deadline = time.hiResClockMs() + timeoutMs;
    try {
      executor.execute(() -> run(name, timeoutMs, deadline, rpc, handler, onFailure));
    } catch (RejectedExecutionException e) {
      onFailure.accept(new BrookException("The admin client is closed. Call: " + name));
    }
  }

  private <R> void run(
      String name,
      long timeoutMs,
      long deadline,
      RoutedRpc<R> rpc,
      Function<R, Void> handler,
      Consumer<BrookException> onFailure) {
    BrookException last = null;
    boolean reachedBroker = false;
    while (true) {
      long left = deadline - time.hiResClockMs();
      if (left <= 0) {
        onFailure.accept(timedOut(name, timeoutMs, reachedBroker, last));
        return;
      }
      Node node = nodes.get(Math.floorMod(cursor, nodes.size()));
      try {
        long attemptMs = Math.min(left, requestTimeoutMs);
        R resp =
            rpc.call(
                channels.blockingStub(node).withDeadlineAfter(attemptMs, TimeUnit.MILLISECONDS),
                other ->
                    channels
                        .blockingStub(other)
                        .withDeadlineAfter(
                            Math.max(1, Math.min(requestTimeoutMs, deadline - time.hiResClockMs())),
                            TimeUnit.MILLISECONDS));
        reachedBroker = true;
        handler.apply(resp);
        return;
      } catch (StatusRuntimeException e) {
        BrookException error = ErrorMapping.fromStatus(e, node.host() + ":" + node.port());
        reachedBroker |= e.getStatus().getCode() != Status.Code.UNAVAILABLE;
        cursor++;
        if (!(error instanceof RetriableException)) {
          onFailure.accept(error);
          return;
        }
        // An attempt cut short by the call's own deadline says only that time ran out: the
        // timeout names the error before it, which says why the call was still retrying.
        boolean cutByCallDeadline =
            e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
                && deadline - time.hiResClockMs() <= 0;
        if (last == null || !cutByCallDeadline) {
          last = error;
        }
      } catch (RetriableException e) {
        last = e;
      } catch (BrookException e) {
        onFailure.accept(e);
        return;
      } catch (RuntimeException e) {
        onFailure.accept(new BrookException("Call " + name + " failed: " + e, e));
        return;
      }
      LOG.debug("admin call {} to {} failed, retrying: {}", name, node, last.getMessage());
      try {
        time.sleep(Math.min(retryBackoffMs, Math.max(0, deadline - time.hiResClockMs())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        onFailure.accept(new BrookException("interrupted", e));
        return;
      }
    }
  }

  /**
   * Kafka's wording: "Timed out waiting for a node assignment" when no broker could be reached,
   * "Timed out waiting for a response" otherwise; then the call's name and the last error.
   */
  static TimeoutException timedOut(
      String name, long timeoutMs, boolean reachedBroker, BrookException last) {
    String what =
        reachedBroker
            ? "Timed out waiting for a response"
            : "Timed out waiting for a node assignment";
    return new TimeoutException(
        what
            + ". Call: "
            + name
            + " (after "
            + timeoutMs
            + " ms"
            + (last == null ? "" : "; last error: " + last.getMessage())
            + ")",
        last);
  }

  /** Lets queued calls finish for up to {@code timeoutMs}, then abandons them. */
  public void close(long timeoutMs) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
