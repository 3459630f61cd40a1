package io.brook.controller;

import io.brook.common.Time;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;

/** API skeleton; the implementation follows. */
public final class Controller implements AutoCloseable {
  public Controller(
      ControllerConfig cfg, CuratorFramework client, BrokerChannels channels, Time time) {}

  public void start() {}

  public boolean isActive() {
    return false;
  }

  public int controllerEpoch() {
    return -1;
  }

  public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
    throw new UnsupportedOperationException();
  }

  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
    throw new UnsupportedOperationException();
  }

  public io.grpc.BindableService grpcService() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
