package io.brook.client.admin;

import io.brook.client.common.Node;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/** The outcome of describeCluster. */
public final class DescribeClusterResult {
  private final CompletableFuture<Collection<Node>> nodes;
  private final CompletableFuture<Node> controller;
  private final CompletableFuture<String> clusterId;

  public DescribeClusterResult(
      CompletableFuture<Collection<Node>> nodes,
      CompletableFuture<Node> controller,
      CompletableFuture<String> clusterId) {
    this.nodes = nodes;
    this.controller = controller;
    this.clusterId = clusterId;
  }

  /** The live brokers. */
  public CompletableFuture<Collection<Node>> nodes() {
    return nodes;
  }

  /** The active controller, or null when none is known. */
  public CompletableFuture<Node> controller() {
    return controller;
  }

  public CompletableFuture<String> clusterId() {
    return clusterId;
  }
}
