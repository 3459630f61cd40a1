package io.brook.broker.grpc;

import io.brook.broker.server.BrokerControlApi;
import io.brook.protocol.v1.BrokerControlServiceGrpc;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** BrokerControlService over gRPC, over {@link BrokerControlApi}. Stateless; thread-safe. */
public final class BrokerControlGrpcService
    extends BrokerControlServiceGrpc.BrokerControlServiceImplBase {
  private final BrokerControlApi api;

  public BrokerControlGrpcService(BrokerControlApi api) {
    this.api = api;
  }

  @Override
  public void leaderAndIsr(LeaderAndIsrRequest req, StreamObserver<LeaderAndIsrResponse> out) {
    BrokerGrpcService.reply(() -> CompletableFuture.completedFuture(api.leaderAndIsr(req)), out);
  }

  @Override
  public void stopReplica(StopReplicaRequest req, StreamObserver<StopReplicaResponse> out) {
    BrokerGrpcService.reply(() -> CompletableFuture.completedFuture(api.stopReplica(req)), out);
  }

  @Override
  public void updateMetadata(
      UpdateMetadataRequest req, StreamObserver<UpdateMetadataResponse> out) {
    BrokerGrpcService.reply(() -> CompletableFuture.completedFuture(api.updateMetadata(req)), out);
  }
}
