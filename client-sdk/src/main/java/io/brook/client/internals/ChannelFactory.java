package io.brook.client.internals;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

/**
 * Opens the channel to one broker address. The default uses netty (plaintext); tests inject an
 * in-process factory.
 */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(String host, int port);

  /** Flow-control window of each HTTP/2 stream (bytes). */
  int FLOW_CONTROL_WINDOW = 8 << 20;

  /**
   * Plaintext netty channels whose callbacks run on the netty event loop (the client's handlers
   * only hand work over), accepting responses up to {@code maxInboundMessageSize} bytes.
   */
  static ChannelFactory netty(int maxInboundMessageSize) {
    return (host, port) ->
        NettyChannelBuilder.forAddress(host, port)
            .usePlaintext()
            .directExecutor()
            .flowControlWindow(FLOW_CONTROL_WINDOW)
            .maxInboundMessageSize(maxInboundMessageSize)
            .build();
  }
}
