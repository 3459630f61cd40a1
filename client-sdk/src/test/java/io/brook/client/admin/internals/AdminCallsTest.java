package io.brook.client.admin.internals;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.common.Node;
import io.brook.client.common.errors.BrokerNotAvailableException;
import io.brook.client.common.errors.BrookException;
import io.brook.client.common.errors.TimeoutException;
import io.brook.client.internals.BrokerChannels;
import io.brook.common.MockTime;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminCallsTest {
  private final MockTime time = new MockTime();
  // the attempts below never use their stubs, so nothing needs to listen
  private final BrokerChannels channels =
      new BrokerChannels((host, port) -> InProcessChannelBuilder.forName("nobody").build());
  private final AdminCalls calls =
      new AdminCalls(channels, List.of(new Node(1, "h", 1)), 30_000, 100, time);

  @AfterEach
  void close() {
    calls.close(1000);
    channels.close();
  }

  @Test
  void aTimeoutNamesTheErrorBeforeTheAttemptThatTheCallsDeadlineCutShort() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<BrookException> failure = new CompletableFuture<>();
    calls.submit(
        "describeConfigs",
        300,
        stub -> {
          if (attempts.incrementAndGet() == 1) {
            throw new BrokerNotAvailableException("Broker 9 is not available");
          }
          time.advance(300); // the second attempt runs out of the call's time
          throw Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded").asRuntimeException();
        },
        r -> null,
        failure::complete);
    BrookException e = failure.get(10, TimeUnit.SECONDS);
    assertInstanceOf(TimeoutException.class, e);
    assertTrue(e.getMessage().contains("last error: Broker 9 is not available"), e.getMessage());
  }

  @Test
  void aTimeoutWithOnlyDeadlinesNamesTheDeadline() throws Exception {
    CompletableFuture<BrookException> failure = new CompletableFuture<>();
    calls.submit(
        "describeConfigs",
        300,
        stub -> {
          time.advance(300);
          throw Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded").asRuntimeException();
        },
        r -> null,
        failure::complete);
    BrookException e = failure.get(10, TimeUnit.SECONDS);
    assertTrue(e.getMessage().contains("last error: "), e.getMessage());
  }
}
