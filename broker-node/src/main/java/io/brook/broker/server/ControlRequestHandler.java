package io.brook.broker.server;

import io.brook.broker.replica.ReplicaManager;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Applies the controller's requests to this broker ({@link BrokerControlApi}), fenced by epochs: a
 * request from a controller epoch older than the newest seen gets STALE_CONTROLLER_EPOCH, and one
 * addressed to an older registration of this broker (broker epoch below the current one) gets
 * STALE_BROKER_EPOCH; neither changes anything. An UpdateMetadata that changes the set of live
 * brokers is passed on to the {@link ReplicaManager} ({@link ReplicaManager#onLiveBrokersChanged}),
 * whose leaders may then propose ISR changes the controller refused before.
 *
 * <p>Invariant: the controller epoch accepted only grows. Thread rules: the three requests are
 * serialized on this object's monitor, so the controller epoch and the state they change move
 * together.
 */
public final class ControlRequestHandler implements BrokerControlApi {
  private static final Logger log = LogManager.getLogger(ControlRequestHandler.class);

  private final int brokerId;
  private final LongSupplier brokerEpoch;
  private final ReplicaManager replicaManager;
  private final MetadataCache cache;

  // @GuardedBy("this")
  private int controllerEpoch = -1;

  public ControlRequestHandler(
      int brokerId, LongSupplier brokerEpoch, ReplicaManager replicaManager, MetadataCache cache) {
    this.brokerId = brokerId;
    this.brokerEpoch = brokerEpoch;
    this.replicaManager = replicaManager;
    this.cache = cache;
  }

  /** The newest controller epoch accepted. */
  public synchronized int controllerEpoch() {
    return controllerEpoch;
  }

  private record Fenced(ErrorCode code, String message) {}

  private Optional<Fenced> fence(String what, int controllerId, int epoch, long reqBrokerEpoch) {
    if (epoch < controllerEpoch) {
      String msg =
          what
              + " from controller "
              + controllerId
              + " carries controller epoch "
              + epoch
              + ", older than the current "
              + controllerEpoch
              + "; ignored";
      log.warn(msg);
      return Optional.of(new Fenced(ErrorCode.STALE_CONTROLLER_EPOCH, msg));
    }
    long current = brokerEpoch.getAsLong();
    if (reqBrokerEpoch >= 0 && reqBrokerEpoch < current) {
      String msg =
          what
              + " is addressed to broker epoch "
              + reqBrokerEpoch
              + " but broker "
              + brokerId
              + " is registered with epoch "
              + current
              + "; ignored";
      log.warn(msg);
      return Optional.of(new Fenced(ErrorCode.STALE_BROKER_EPOCH, msg));
    }
    if (epoch > controllerEpoch) {
      log.info("Broker {} now follows controller {} (epoch {})", brokerId, controllerId, epoch);
      controllerEpoch = epoch;
    }
    return Optional.empty();
  }

  @Override
  public synchronized LeaderAndIsrResponse leaderAndIsr(LeaderAndIsrRequest req) {
    Optional<Fenced> fenced =
        fence(
            "LeaderAndIsr", req.getControllerId(), req.getControllerEpoch(), req.getBrokerEpoch());
    if (fenced.isPresent()) {
      return LeaderAndIsrResponse.newBuilder()
          .setError(fenced.get().code)
          .setErrorMessage(fenced.get().message)
          .build();
    }
    return LeaderAndIsrResponse.newBuilder()
        .addAllPartitions(replicaManager.applyLeaderAndIsr(req))
        .build();
  }

  @Override
  public synchronized StopReplicaResponse stopReplica(StopReplicaRequest req) {
    Optional<Fenced> fenced =
        fence("StopReplica", req.getControllerId(), req.getControllerEpoch(), req.getBrokerEpoch());
    if (fenced.isPresent()) {
      return StopReplicaResponse.newBuilder()
          .setError(fenced.get().code)
          .setErrorMessage(fenced.get().message)
          .build();
    }
    return StopReplicaResponse.newBuilder()
        .addAllPartitions(replicaManager.stopReplicas(req))
        .build();
  }

  @Override
  public synchronized UpdateMetadataResponse updateMetadata(UpdateMetadataRequest req) {
    Optional<Fenced> fenced =
        fence(
            "UpdateMetadata",
            req.getControllerId(),
            req.getControllerEpoch(),
            req.getBrokerEpoch());
    if (fenced.isPresent()) {
      return UpdateMetadataResponse.newBuilder()
          .setError(fenced.get().code)
          .setErrorMessage(fenced.get().message)
          .build();
    }
    Set<Integer> liveBefore = cache.snapshot().liveBrokers().keySet();
    cache.update(req);
    replicaManager.applyTopicConfigs(req); // topic config changes reach the hosted logs
    if (!cache.snapshot().liveBrokers().keySet().equals(liveBefore)) {
      replicaManager.onLiveBrokersChanged();
    }
    return UpdateMetadataResponse.getDefaultInstance();
  }
}
