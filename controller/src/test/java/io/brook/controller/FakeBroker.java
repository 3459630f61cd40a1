package io.brook.controller;

import io.brook.metadata.BrokerInfo;
import io.brook.metadata.zk.BrokerRegistrar;
import io.brook.protocol.v1.BrokerControlServiceGrpc;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;

/**
 * A fake broker for controller tests: an in-process BrokerControlService named "broker-&lt;id&gt;"
 * that records what it receives and answers NONE, plus a real registration in ZooKeeper.
 *
 * <p>With {@code slowFirstUpdateMetadata}, the first UpdateMetadata it receives is a slow delivery
 * that fails: it is not applied (not recorded), and its answer is held until {@link
 * #firstUpdateMetadataRelease} completes, then is UNAVAILABLE, so the controller retries it.
 */
final class FakeBroker implements AutoCloseable {
  final int id;
  final CuratorFramework client;
  final Server server;
  BrokerRegistrar registrar;
  final List<LeaderAndIsrRequest> leaderAndIsr = new CopyOnWriteArrayList<>();
  final List<UpdateMetadataRequest> updateMetadata = new CopyOnWriteArrayList<>();
  final List<StopReplicaRequest> stopReplica = new CopyOnWriteArrayList<>();
  final CompletableFuture<UpdateMetadataRequest> firstUpdateMetadataHeld =
      new CompletableFuture<>();
  final CompletableFuture<Void> firstUpdateMetadataRelease = new CompletableFuture<>();

  FakeBroker(int id, CuratorFramework client) throws Exception {
    this(id, client, false);
  }

  /** A broker registered with broker.rack {@code rack} (null: none). */
  FakeBroker(int id, CuratorFramework client, String rack) throws Exception {
    this(id, client, false, rack);
  }

  FakeBroker(int id, CuratorFramework client, boolean slowFirstUpdateMetadata) throws Exception {
    this(id, client, slowFirstUpdateMetadata, null);
  }

  private final String rack;

  FakeBroker(int id, CuratorFramework client, boolean slowFirstUpdateMetadata, String rack)
      throws Exception {
    this.rack = rack;
    AtomicBoolean holdNext = new AtomicBoolean(slowFirstUpdateMetadata);
    this.id = id;
    this.client = client;
    this.server =
        InProcessServerBuilder.forName("broker-" + id)
            .directExecutor()
            .addService(
                new BrokerControlServiceGrpc.BrokerControlServiceImplBase() {
                  @Override
                  public void leaderAndIsr(
                      LeaderAndIsrRequest r, StreamObserver<LeaderAndIsrResponse> out) {
                    leaderAndIsr.add(r);
                    out.onNext(LeaderAndIsrResponse.newBuilder().setError(ErrorCode.NONE).build());
                    out.onCompleted();
                  }

                  @Override
                  public void stopReplica(
                      StopReplicaRequest r, StreamObserver<StopReplicaResponse> out) {
                    stopReplica.add(r);
                    out.onNext(StopReplicaResponse.newBuilder().setError(ErrorCode.NONE).build());
                    out.onCompleted();
                  }

                  @Override
                  public void updateMetadata(
                      UpdateMetadataRequest r, StreamObserver<UpdateMetadataResponse> out) {
                    if (holdNext.compareAndSet(true, false)) {
                      firstUpdateMetadataHeld.complete(r);
                      firstUpdateMetadataRelease.thenRun(
                          () -> out.onError(Status.UNAVAILABLE.asRuntimeException()));
                      return;
                    }
                    updateMetadata.add(r);
                    out.onNext(
                        UpdateMetadataResponse.newBuilder().setError(ErrorCode.NONE).build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    register();
  }

  void register() {
    registrar = new BrokerRegistrar(client, BrokerInfo.of(id, "broker-" + id, 9000 + id, rack));
    registrar.start();
  }

  long epoch() {
    return registrar.brokerEpoch();
  }

  @Override
  public void close() {
    registrar.close();
    server.shutdownNow();
  }
}
