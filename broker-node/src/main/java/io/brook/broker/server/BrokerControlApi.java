package io.brook.broker.server;

import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;

/**
 * What BrokerControlService does, without the network: the controller's requests to this broker.
 * Each request is checked against the newest controller epoch seen and this broker's current
 * registration epoch before it is applied.
 *
 * <p>Thread rules: callable from any thread; implementations serialize the requests.
 */
public interface BrokerControlApi {
  LeaderAndIsrResponse leaderAndIsr(LeaderAndIsrRequest request);

  StopReplicaResponse stopReplica(StopReplicaRequest request);

  UpdateMetadataResponse updateMetadata(UpdateMetadataRequest request);
}
