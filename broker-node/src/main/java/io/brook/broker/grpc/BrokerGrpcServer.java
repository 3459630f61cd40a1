package io.brook.broker.grpc;

import io.brook.broker.metrics.RequestMetrics;
import io.brook.broker.metrics.grpc.RequestMetricsInterceptor;
import io.brook.broker.server.BrokerApi;
import io.brook.broker.server.BrokerControlApi;
import io.brook.common.Time;
import io.brook.controller.Controller;
import io.brook.protocol.v1.BrokerServiceGrpc;
import io.brook.protocol.v1.ReplicaServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The broker's gRPC server on its listener: BrokerService, BrokerControlService, ReplicaService
 * (followers fetching from this broker) and, when this broker is a controller candidate, the
 * controller's ControllerService. Network I/O runs on {@code num.network.threads} event-loop
 * threads ({@link NettyTransport}: epoll where available), and so does the handling of the Produce
 * and Replicate streams and of Fetch and FetchStream ({@link #INLINE_METHODS}); every other call is
 * handled on the given executor ({@code num.io.threads}). Inbound messages may be as large as
 * {@code socket.request.max.bytes}, so that a batch over {@code max.message.bytes} but under that
 * limit is refused with RECORD_TOO_LARGE rather than by the transport.
 *
 * <p>Shutdown, as Kafka's SocketServer: {@link #shutdown} stops accepting calls and drains the
 * long-lived streams (Produce: no new appends, ended with UNAVAILABLE once the appended requests
 * are answered; Replicate: ended with UNAVAILABLE at once), since their clients never end them;
 * {@link #close} ends the streams still open, gives the unary calls still running up to {@link
 * #UNARY_CALL_GRACE_MS} to finish (long-poll fetches and acks=all produces are answered by then if
 * the replica manager was closed first, which completes its purgatories), then cancels what is
 * left. So a clean stop costs no wait on clients, and they fail over at once.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} idempotent.
 */
public final class BrokerGrpcServer implements AutoCloseable {
  private static final Logger log = LogManager.getLogger(BrokerGrpcServer.class);

  /**
   * The HTTP/2 flow-control window per stream (and per connection): large enough that a producer
   * with its window of batches in flight, or a follower with a whole 1 MiB fetch response, never
   * waits for a window update. Fixed: gRPC's auto-tuning (an {@code initialFlowControlWindow})
   * sends a BDP PING with nearly every data frame it reads, an extra frame each way, and an extra
   * wake-up, per request on the long-lived streams.
   */
  static final int FLOW_CONTROL_WINDOW = 8 << 20;

  /** Produce requests of one stream read but not yet answered. */
  static final int PRODUCE_WINDOW = 16;

  /**
   * The calls handled on the event loop that read them rather than on the request executor: the hot
   * path, the Produce and Replicate streams and the Fetch call. Their handlers never block on the
   * network or ZooKeeper (an append writes to the page cache, a fetch reads from it, acks=all and
   * long polls wait in purgatories), so running them inline saves the hand-offs to a request thread
   * and back to the event loop for the answer (four per unary call), the largest cost per request
   * on a two-core machine. Every other call (admin, groups, control) runs on the request executor
   * ({@code num.io.threads}) as before, so nothing slow ever holds an event loop.
   */
  static final Set<String> INLINE_METHODS =
      Set.of(
          BrokerServiceGrpc.getProduceMethod().getFullMethodName(),
          BrokerServiceGrpc.getFetchMethod().getFullMethodName(),
          BrokerServiceGrpc.getFetchStreamMethod().getFullMethodName(),
          ReplicaServiceGrpc.getReplicateMethod().getFullMethodName());

  /**
   * With the server's executor direct, a call's lookup runs on the event loop; the rest of a call
   * outside {@link #INLINE_METHODS} then moves to {@code executor}.
   */
  private static ServerCallExecutorSupplier offloadingAllBut(
      Set<String> inline, Executor executor) {
    return new ServerCallExecutorSupplier() {
      @Override
      public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
        return inline.contains(call.getMethodDescriptor().getFullMethodName()) ? null : executor;
      }
    };
  }

  /** How long {@link #close} lets unary calls still running finish before cancelling them. */
  static final long UNARY_CALL_GRACE_MS = 1_000;

  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final List<OpenStreams> openStreams;
  private volatile boolean closed;

  private BrokerGrpcServer(
      Server server, EventLoopGroup boss, EventLoopGroup workers, List<OpenStreams> openStreams) {
    this.server = server;
    this.boss = boss;
    this.workers = workers;
    this.openStreams = openStreams;
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
    return start(
        host,
        port,
        maxInboundMessageBytes,
        networkThreads,
        executor,
        api,
        control,
        replicaService,
        controller,
        RequestMetrics.NONE);
  }

  /**
   * As above, with every call (the controller's too) measured for {@code requestMetrics} by a
   * {@link RequestMetricsInterceptor}.
   */
  public static BrokerGrpcServer start(
      String host,
      int port,
      int maxInboundMessageBytes,
      int networkThreads,
      Executor executor,
      BrokerApi api,
      BrokerControlApi control,
      ReplicaGrpcService replicaService,
      Controller controller,
      RequestMetrics requestMetrics)
      throws IOException {
    InetSocketAddress address =
        host == null || host.isEmpty()
            ? new InetSocketAddress(port)
            : new InetSocketAddress(host, port);
    EventLoopGroup boss = NettyTransport.newEventLoopGroup(1, "brook-accept");
    EventLoopGroup workers = NettyTransport.newEventLoopGroup(networkThreads, "brook-network");
    BrokerGrpcService brokerService = new BrokerGrpcService(api, PRODUCE_WINDOW);
    List<OpenStreams> openStreams = new ArrayList<>(List.of(brokerService.openStreams()));
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(address)
            .channelType(NettyTransport.serverChannelType())
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .directExecutor()
            .callExecutor(offloadingAllBut(INLINE_METHODS, executor))
            .maxInboundMessageSize(maxInboundMessageBytes)
            .flowControlWindow(FLOW_CONTROL_WINDOW)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addService(brokerService)
            .addService(new BrokerControlGrpcService(control));
    if (replicaService != null) {
      b.addService(replicaService);
      openStreams.add(replicaService.openStreams());
    }
    if (controller != null) {
      b.addService(controller.grpcService());
    }
    if (requestMetrics != RequestMetrics.NONE) {
      b.intercept(new RequestMetricsInterceptor(requestMetrics, Time.SYSTEM));
    }
    Server server = b.build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IOException("Could not listen on " + address + ": " + e.getMessage(), e);
    }
    return new BrokerGrpcServer(server, boss, workers, List.copyOf(openStreams));
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * Stops accepting new calls and drains the open streams (see the class comment); unary calls
   * running go on. Idempotent.
   */
  public void shutdown() {
    server.shutdown();
    openStreams.forEach(OpenStreams::drainAll);
  }

  /**
   * Stops accepting calls, ends the streams still open, lets running unary calls finish for up to
   * {@link #UNARY_CALL_GRACE_MS}, then cancels the rest. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    shutdown();
    openStreams.forEach(OpenStreams::endAll);
    try {
      if (!server.awaitTermination(UNARY_CALL_GRACE_MS, TimeUnit.MILLISECONDS)) {
        log.info(
            "gRPC server: calls still running {} ms after shutdown are cancelled",
            UNARY_CALL_GRACE_MS);
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
