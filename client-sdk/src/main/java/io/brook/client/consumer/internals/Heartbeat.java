package io.brook.client.consumer.internals;

/**
 * The three clocks of a group member, as Kafka's {@code Heartbeat}: when the next heartbeat is due
 * ({@code heartbeat.interval.ms} after the last one sent, or {@code retry.backoff.ms} after a
 * failed one), whether the coordinator has been silent for {@code session.timeout.ms} (no
 * successful heartbeat response), and whether the application has not called poll() for {@code
 * max.poll.interval.ms}. Pure: every method takes the current monotonic time in milliseconds.
 *
 * <p>Not thread-safe: the {@link ConsumerCoordinator} guards it with its own lock.
 */
public final class Heartbeat {
  private final long sessionTimeoutMs;
  private final long heartbeatIntervalMs;
  private final long maxPollIntervalMs;
  private final long retryBackoffMs;

  private long lastHeartbeatSendMs;
  private long lastHeartbeatReceiveMs;
  private long lastPollMs;
  private long nextHeartbeatMs;
  private boolean inFlight;

  public Heartbeat(
      long sessionTimeoutMs,
      long heartbeatIntervalMs,
      long maxPollIntervalMs,
      long retryBackoffMs,
      long nowMs) {
    if (heartbeatIntervalMs >= sessionTimeoutMs) {
      throw new IllegalArgumentException(
          "Heartbeat must be set lower than the session timeout (heartbeat.interval.ms="
              + heartbeatIntervalMs
              + ", session.timeout.ms="
              + sessionTimeoutMs
              + ")");
    }
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.maxPollIntervalMs = maxPollIntervalMs;
    this.retryBackoffMs = retryBackoffMs;
    resetTimeouts(nowMs);
  }

  /** The application called poll(). */
  public void poll(long nowMs) {
    lastPollMs = nowMs;
  }

  public void sentHeartbeat(long nowMs) {
    lastHeartbeatSendMs = nowMs;
    nextHeartbeatMs = nowMs + heartbeatIntervalMs;
    inFlight = true;
  }

  /** A heartbeat response arrived (any answer from the coordinator proves the session alive). */
  public void receiveHeartbeat(long nowMs) {
    lastHeartbeatReceiveMs = nowMs;
    inFlight = false;
  }

  /** A heartbeat got no answer: try again after retry.backoff.ms. */
  public void failHeartbeat(long nowMs) {
    inFlight = false;
    nextHeartbeatMs = nowMs + retryBackoffMs;
  }

  public boolean shouldHeartbeat(long nowMs) {
    return !inFlight && nowMs >= nextHeartbeatMs;
  }

  public long timeToNextHeartbeat(long nowMs) {
    return Math.max(0, nextHeartbeatMs - nowMs);
  }

  public long lastHeartbeatSendMs() {
    return lastHeartbeatSendMs;
  }

  public boolean sessionTimeoutExpired(long nowMs) {
    return nowMs - lastHeartbeatReceiveMs >= sessionTimeoutMs;
  }

  public boolean pollTimeoutExpired(long nowMs) {
    return nowMs - lastPollMs >= maxPollIntervalMs;
  }

  /** Milliseconds the application has not polled for. */
  public long sinceLastPoll(long nowMs) {
    return nowMs - lastPollMs;
  }

  /** After a (re)join: every clock starts again. */
  public void resetTimeouts(long nowMs) {
    lastHeartbeatSendMs = nowMs;
    lastHeartbeatReceiveMs = nowMs;
    lastPollMs = nowMs;
    nextHeartbeatMs = nowMs + heartbeatIntervalMs;
    inFlight = false;
  }

  /** Until the next heartbeat is due, from now: the coordinator has the session alive. */
  public void resetSessionTimeout(long nowMs) {
    lastHeartbeatReceiveMs = nowMs;
  }
}
