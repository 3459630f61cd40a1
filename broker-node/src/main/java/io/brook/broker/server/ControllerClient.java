package io.brook.broker.server;

import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import java.util.concurrent.CompletableFuture;

/**
 * How this broker reaches the ControllerService of another broker (the active controller) to
 * forward admin calls. The future fails when the call could not be made (unreachable, deadline).
 * Implementations are thread-safe.
 */
public interface ControllerClient extends AutoCloseable {
  CompletableFuture<CreateTopicsResponse> createTopics(
      BrokerEndpoint controller, CreateTopicsRequest request, long timeoutMs);

  CompletableFuture<DeleteTopicsResponse> deleteTopics(
      BrokerEndpoint controller, DeleteTopicsRequest request, long timeoutMs);

  @Override
  void close();
}
