package io.brook.broker.server;

import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import java.util.concurrent.CompletableFuture;

/** The controller candidate running in this broker, as the admin forwarder sees it. */
public interface LocalController {
  boolean isActive();

  CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request);

  CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request);

  /** No controller in this broker (controller.candidate=false). */
  LocalController NONE =
      new LocalController() {
        @Override
        public boolean isActive() {
          return false;
        }

        @Override
        public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }

        @Override
        public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest r) {
          throw new IllegalStateException("not a controller candidate");
        }
      };
}
