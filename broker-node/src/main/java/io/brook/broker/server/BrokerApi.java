package io.brook.broker.server;

import io.brook.protocol.v1.CreatePartitionsRequest;
import io.brook.protocol.v1.CreatePartitionsResponse;
import io.brook.protocol.v1.CreatePartitionsTopicResult;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.InitProducerIdRequest;
import io.brook.protocol.v1.InitProducerIdResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What BrokerService does, without the network: the gRPC adapter decodes a call, calls one of
 * these, and encodes the answer. Per-partition failures are in the responses; a future completes
 * exceptionally only for a whole-call failure (the broker is shutting down, a bug).
 *
 * <p>Thread rules: every method may be called from any thread and never blocks on a wait (waits are
 * futures). {@link #produce} appends before returning, so calling it in a stream's order keeps that
 * order.
 */
public interface BrokerApi {
  CompletableFuture<MetadataResponse> metadata(MetadataRequest request);

  /**
   * Appends the request's batches. The future completes with the answer (also for acks=0, where the
   * adapter does not send it).
   */
  CompletableFuture<ProduceResponse> produce(ProduceRequest request);

  CompletableFuture<FetchResponse> fetch(FetchRequest request);

  CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request);

  CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request);

  CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request);

  /**
   * Adds partitions (forwarded to the controller). The default answers INVALID_REQUEST per topic
   * (an API without a controller); the broker's handler overrides it.
   */
  default CompletableFuture<CreatePartitionsResponse> createPartitions(
      CreatePartitionsRequest request) {
    CreatePartitionsResponse.Builder b = CreatePartitionsResponse.newBuilder();
    request
        .getTopicsList()
        .forEach(
            t ->
                b.addResults(
                    CreatePartitionsTopicResult.newBuilder()
                        .setName(t.getName())
                        .setError(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage("This broker cannot add partitions")));
    return CompletableFuture.completedFuture(b.build());
  }

  CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest request);

  CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request);

  /**
   * A producer id for an idempotent producer (epoch 0). The default answers BROKER_NOT_AVAILABLE
   * (an API without producer ids); the broker's handler overrides it.
   */
  default CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest request) {
    return CompletableFuture.completedFuture(
        InitProducerIdResponse.newBuilder()
            .setError(ErrorCode.BROKER_NOT_AVAILABLE)
            .setErrorMessage("This broker does not hand out producer ids")
            .setProducerId(-1)
            .setProducerEpoch(-1)
            .build());
  }
}
