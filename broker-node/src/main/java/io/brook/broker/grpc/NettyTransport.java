package io.brook.broker.grpc;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport of the broker's gRPC server and of its connections to leaders (replica
 * fetchers): native epoll where it loads (Linux on x86_64 and aarch64, as gRPC's own default), else
 * NIO. Epoll wakes a sleeping event loop with an eventfd write instead of NIO's selector wake-up,
 * and reads and writes without NIO's per-call bookkeeping; both count on a two-core machine, where
 * every request crosses several event loops.
 */
public final class NettyTransport {
  private static final boolean EPOLL = Epoll.isAvailable();

  /** Netty's system property for its buffer leak detector, as shaded into gRPC. */
  static final String LEAK_DETECTION_PROPERTY = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  private NettyTransport() {}

  /**
   * Settings for a broker process (not for tests, which keep Netty's defaults): Netty's buffer leak
   * detector off unless {@value #LEAK_DETECTION_PROPERTY} is set. At its default level it records a
   * stack trace for one buffer in 128, about 1 % of a broker's CPU under load; leaks are caught by
   * the tests, which run with it on.
   */
  public static void useServerDefaults() {
    if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  /** A group of {@code threads} event loops, daemon threads named {@code name-N}. */
  public static EventLoopGroup newEventLoopGroup(int threads, String name) {
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
  }

  public static Class<? extends ServerChannel> serverChannelType() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The client channel type that goes with {@link #newEventLoopGroup}. */
  public static Class<? extends Channel> channelType() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
