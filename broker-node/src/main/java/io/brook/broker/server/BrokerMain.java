package io.brook.broker.server;

import io.brook.broker.grpc.NettyTransport;
import io.brook.common.Time;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code BrokerMain CONFIG [--override k=v ...]}: starts a broker from a properties file and runs
 * it until SIGTERM / SIGINT, which shut it down cleanly (logs closed with the clean-shutdown
 * marker). A bad configuration or a failed start prints one clear line on standard error and exits
 * with status 1; a fatal error of a critical thread exits with status 1 after closing.
 */
public final class BrokerMain {
  static {
    // Our shutdown hook logs the clean shutdown, then stops log4j itself.
    System.setProperty("log4j2.shutdownHookEnabled", "false");
  }

  private static final Logger log = LogManager.getLogger(BrokerMain.class);

  private BrokerMain() {}

  public static void main(String[] args) {
    BrokerConfig config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("brook-server: " + e.getMessage());
      System.exit(1);
      return;
    } catch (Exception e) {
      System.err.println("brook-server: could not read the configuration: " + e.getMessage());
      System.exit(1);
      return;
    }
    NettyTransport.useServerDefaults();
    // The only place the test-only faults are read; everything else gets plain values.
    TestFaults testFaults = TestFaults.fromSystemProperties(System.getProperties());
    for (String warning : testFaults.warnings()) {
      System.err.println("brook-server: WARNING: " + warning);
    }
    BrokerServer server = new BrokerServer(config, Time.SYSTEM, testFaults);
    CountDownLatch stopped = new CountDownLatch(1);
    server.setFatalErrorHandler(
        t -> {
          log.fatal("Fatal error in broker {}; exiting", config.brokerId(), t);
          Thread exit =
              new Thread(
                  () -> {
                    server.close();
                    Runtime.getRuntime().halt(1);
                  },
                  "broker-fatal-exit");
          exit.start();
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                  LogManager.shutdown();
                },
                "broker-shutdown-hook"));
    try {
      server.start();
    } catch (RuntimeException e) {
      log.error("Broker {} failed to start", config.brokerId(), e);
      System.err.println("brook-server: " + e.getMessage());
      System.exit(1);
      return;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Parses {@code CONFIG [--override k=v ...]}. */
  static BrokerConfig parse(String[] args) throws Exception {
    if (args.length < 1 || args[0].startsWith("-")) {
      throw new IllegalArgumentException(
          "usage: brook-server-start.sh server.properties [--override key=value ...]");
    }
    Path file = Path.of(args[0]);
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read the configuration file " + file);
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].equals("--override") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "unexpected argument " + args[i] + " (expected --override key=value)");
      }
      String kv = args[++i];
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--override expects key=value, got " + kv);
      }
      overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    return BrokerConfig.fromFile(file, overrides);
  }
}
