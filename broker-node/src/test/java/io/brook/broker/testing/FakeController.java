package io.brook.broker.testing;

import io.brook.broker.server.BrokerServer;
import io.brook.protocol.v1.BrokerControlServiceGrpc;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrResponse;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.StopReplicaPartition;
import io.brook.protocol.v1.StopReplicaRequest;
import io.brook.protocol.v1.StopReplicaResponse;
import io.brook.protocol.v1.UpdateMetadataRequest;
import io.brook.protocol.v1.UpdateMetadataResponse;
import io.brook.protocol.v1.UpdateMetadataTopic;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Plays the controller for one broker over its real BrokerControlService, so broker behavior can be
 * tested without the controller module.
 */
public final class FakeController implements AutoCloseable {
  public final int controllerId;
  public int controllerEpoch;
  private final BrokerServer broker;
  private final ManagedChannel channel;
  private final BrokerControlServiceGrpc.BrokerControlServiceBlockingStub stub;

  public FakeController(BrokerServer broker, int controllerId, int controllerEpoch) {
    this.broker = broker;
    this.controllerId = controllerId;
    this.controllerEpoch = controllerEpoch;
    this.channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", broker.boundPort()).usePlaintext().build();
    this.stub = BrokerControlServiceGrpc.newBlockingStub(channel);
  }

  private BrokerControlServiceGrpc.BrokerControlServiceBlockingStub stub() {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public BrokerEndpoint self() {
    return BrokerEndpoint.newBuilder()
        .setId(broker.brokerId())
        .setHost("127.0.0.1")
        .setPort(broker.boundPort())
        .build();
  }

  public static PartitionState state(String topic, int p, int leader, int leaderEpoch) {
    return PartitionState.newBuilder()
        .setTopic(topic)
        .setPartition(p)
        .setLeader(leader)
        .setLeaderEpoch(leaderEpoch)
        .addIsr(leader)
        .addReplicas(leader)
        .setPartitionEpoch(leaderEpoch)
        .build();
  }

  /**
   * Makes the broker the single-replica leader of {@code partitions} partitions of {@code topic}.
   */
  public UUID createTopic(String topic, int partitions, Map<String, String> configs) {
    UUID id = UUID.randomUUID();
    UpdateMetadataTopic.Builder um =
        UpdateMetadataTopic.newBuilder()
            .setTopic(topic)
            .setTopicId(id.toString())
            .putAllConfigs(configs);
    LeaderAndIsrTopic.Builder lai =
        LeaderAndIsrTopic.newBuilder()
            .setTopic(topic)
            .setTopicId(id.toString())
            .putAllConfigs(configs);
    for (int p = 0; p < partitions; p++) {
      PartitionState s = state(topic, p, broker.brokerId(), 0);
      um.addPartitions(s);
      lai.addPartitions(s);
    }
    UpdateMetadataResponse r1 =
        updateMetadata(
            UpdateMetadataRequest.newBuilder().addLiveBrokers(self()).addTopics(um).build());
    if (r1.getError() != io.brook.protocol.v1.ErrorCode.NONE) {
      throw new AssertionError("UpdateMetadata failed: " + r1);
    }
    LeaderAndIsrResponse r2 = leaderAndIsr(LeaderAndIsrRequest.newBuilder().addTopics(lai).build());
    if (r2.getError() != io.brook.protocol.v1.ErrorCode.NONE || r2.getPartitionsCount() > 0) {
      throw new AssertionError("LeaderAndIsr failed: " + r2);
    }
    return id;
  }

  /** Fills in controller id / epoch and broker epoch unless set. */
  public LeaderAndIsrResponse leaderAndIsr(LeaderAndIsrRequest req) {
    LeaderAndIsrRequest.Builder b = req.toBuilder();
    if (b.getControllerEpoch() == 0) {
      b.setControllerId(controllerId).setControllerEpoch(controllerEpoch);
    }
    if (b.getBrokerEpoch() == 0) {
      b.setBrokerEpoch(broker.brokerEpoch());
    }
    return stub().leaderAndIsr(b.build());
  }

  public UpdateMetadataResponse updateMetadata(UpdateMetadataRequest req) {
    UpdateMetadataRequest.Builder b = req.toBuilder();
    if (b.getControllerEpoch() == 0) {
      b.setControllerId(controllerId).setControllerEpoch(controllerEpoch);
    }
    if (b.getBrokerEpoch() == 0) {
      b.setBrokerEpoch(broker.brokerEpoch());
    }
    return stub().updateMetadata(b.build());
  }

  public StopReplicaResponse deleteTopic(String topic, List<Integer> partitions) {
    StopReplicaRequest.Builder b =
        StopReplicaRequest.newBuilder()
            .setControllerId(controllerId)
            .setControllerEpoch(controllerEpoch)
            .setBrokerEpoch(broker.brokerEpoch());
    for (int p : partitions) {
      b.addPartitions(
          StopReplicaPartition.newBuilder()
              .setTopic(topic)
              .setPartition(p)
              .setLeaderEpoch(-2)
              .setDeletePartition(true));
    }
    StopReplicaResponse r = stub().stopReplica(b.build());
    updateMetadata(UpdateMetadataRequest.newBuilder().addDeletedTopics(topic).build());
    return r;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
