package io.brook.broker.replica;

import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a leader's ISR change proposal to the active controller (wired to {@code
 * AdminForwarder::alterPartition}). The future completes with the controller's answer, or
 * exceptionally when no controller answered in time. Implementations are thread-safe.
 */
@FunctionalInterface
public interface AlterPartitionSender {
  CompletableFuture<AlterPartitionResponse> send(AlterPartitionRequest request);

  /** For single-broker tests: every proposal fails (the ISR stays as the controller set it). */
  AlterPartitionSender NONE =
      request ->
          CompletableFuture.failedFuture(
              new IllegalStateException("No controller to send AlterPartition to"));
}
