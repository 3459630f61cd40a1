package io.brook.broker.grpc;

import io.brook.broker.server.BrokerApi;
import io.brook.broker.server.BrokerControlApi;
import io.brook.controller.Controller;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The broker's gRPC server on its listener: BrokerService, BrokerControlService, ReplicaService
 * (followers fetching from this broker) and, when this broker is a controller candidate, the
 * controller's ControllerService. Request handling runs on the given executor; network I/O on
 * {@code num.network.threads} event-loop threads. Inbound messages may be as large as {@code
 * socket.request.max.bytes}, so that a batch over {@code max.message.bytes} but under that limit is
 * refused with RECORD_TOO_LARGE rather than by the transport.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} idempotent.
 */
public final class BrokerGrpcServer implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(BrokerGrpcServer.class);

  /**
   * The initial HTTP/2 flow-control window per stream: large enough that a producer with a few 1
   * MiB batches in flight is not throttled by the window on a fast link; gRPC still auto-tunes it.
   */
  static final int INITIAL_FLOW_CONTROL_WINDOW = 4 * 1024 * 1024;

  /** Produce requests of one stream read but not yet answered. */
  static final int PRODUCE_WINDOW = 16;

  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private volatile boolean closed;

  private BrokerGrpcServer(Server server, EventLoopGroup boss, EventLoopGroup workers) {
    this.server = server;
    this.boss = boss;
    this.workers = workers;
  }

  /** Binds and starts serving. {@code host} empty or null: every interface. Port 0: any free. */
  public static BrokerGrpcServer start(
      String host,
      int port,
      int maxInboundMessageBytes,
      int networkThreads,
      Executor executor,
      BrokerApi api,
      BrokerControlApi control,
      ReplicaGrpcService replicaService,
      Controller controller)
      throws IOException {
    InetSocketAddress address =
        host == null || host.isEmpty()
            ? new InetSocketAddress(port)
            : new InetSocketAddress(host, port);
    EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("brook-accept", true));
    EventLoopGroup workers =
        new NioEventLoopGroup(networkThreads, new DefaultThreadFactory("brook-network", true));
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(address)
            .channelType(NioServerSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .executor(executor)
            .maxInboundMessageSize(maxInboundMessageBytes)
            .initialFlowControlWindow(INITIAL_FLOW_CONTROL_WINDOW)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addService(new BrokerGrpcService(api, PRODUCE_WINDOW))
            .addService(new BrokerControlGrpcService(control));
    if (replicaService != null) {
      b.addService(replicaService);
    }
    if (controller != null) {
      b.addService(controller.grpcService());
    }
    Server server = b.build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IOException("Could not listen on " + address + ": " + e.getMessage(), e);
    }
    return new BrokerGrpcServer(server, boss, workers);
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getPort();
  }

  /** Stops accepting new calls; running ones go on. */
  public void shutdown() {
    server.shutdown();
  }

  /** Stops accepting calls, lets running ones finish for a moment, then cancels the rest. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    log.debug("gRPC server stopped");
  }
}
