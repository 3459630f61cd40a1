package io.brook.broker.grpc;

import io.brook.broker.server.BrokerApi;
import io.brook.protocol.v1.CreateTopicsRequest;
import io.brook.protocol.v1.CreateTopicsResponse;
import io.brook.protocol.v1.DeleteTopicsRequest;
import io.brook.protocol.v1.DeleteTopicsResponse;
import io.brook.protocol.v1.DescribeClusterRequest;
import io.brook.protocol.v1.DescribeClusterResponse;
import io.brook.protocol.v1.DescribeConfigsRequest;
import io.brook.protocol.v1.DescribeConfigsResponse;
import io.brook.protocol.v1.FetchRequest;
import io.brook.protocol.v1.FetchResponse;
import io.brook.protocol.v1.ListOffsetsRequest;
import io.brook.protocol.v1.ListOffsetsResponse;
import io.brook.protocol.v1.MetadataRequest;
import io.brook.protocol.v1.MetadataResponse;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import java.util.concurrent.CompletableFuture;

/** A BrokerApi whose every call fails; tests override the calls they use. */
abstract class UnsupportedBrokerApi implements BrokerApi {
  static <T> CompletableFuture<T> unused() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("not in this test"));
  }

  @Override
  public CompletableFuture<MetadataResponse> metadata(MetadataRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<DescribeClusterResponse> describeCluster(
      DescribeClusterRequest request) {
    return unused();
  }

  @Override
  public CompletableFuture<DescribeConfigsResponse> describeConfigs(
      DescribeConfigsRequest request) {
    return unused();
  }
}
