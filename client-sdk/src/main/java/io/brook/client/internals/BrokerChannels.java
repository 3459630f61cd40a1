package io.brook.client.internals;

import io.brook.client.common.Node;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per broker address ({@code host:port}), opened on first use and kept until
 * {@link #close()}. A channel reconnects by itself after failures. Thread-safe.
 */
public final class BrokerChannels implements AutoCloseable {
  private final ChannelFactory factory;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public BrokerChannels(ChannelFactory factory) {
    this.factory = factory;
  }

  public ManagedChannel channel(Node node) {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    return channels.computeIfAbsent(
        node.host() + ":" + node.port(), k -> factory.open(node.host(), node.port()));
  }

  /**
   * Builds the channel to the first of {@code bootstrap} (it connects on its first call) and
   * initializes the service's protocol classes, as a Kafka client builds its network client in its
   * constructor: a client's first request (in a consumer, the first step of its group join) then
   * pays for its connection only, not for loading the transport.
   */
  public void prepare(List<Node> bootstrap) {
    BrokerServiceGrpc.getServiceDescriptor();
    if (!bootstrap.isEmpty()) {
      channel(bootstrap.get(0));
    }
  }

  public BrokerServiceGrpc.BrokerServiceStub asyncStub(Node node) {
    return BrokerServiceGrpc.newStub(channel(node));
  }

  public BrokerServiceGrpc.BrokerServiceBlockingStub blockingStub(Node node) {
    return BrokerServiceGrpc.newBlockingStub(channel(node));
  }

  /** Shuts every channel down, waiting up to {@code timeoutMs} in total. Idempotent. */
  public void close(long timeoutMs) {
    closed = true;
    List<ManagedChannel> all = new ArrayList<>(channels.values());
    channels.clear();
    all.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (ManagedChannel c : all) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !c.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          c.shutdownNow();
        }
      } catch (InterruptedException e) {
        c.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    close(5000);
  }
}
