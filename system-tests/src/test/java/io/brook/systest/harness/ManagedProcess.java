package io.brook.systest.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One server process of a test cluster (ZooKeeper or a broker), started again and again with the
 * same command, environment and output file. Output (stdout and stderr) is appended to {@code
 * outFile} after a header line per start; stdin is {@code /dev/null}. The start scripts {@code
 * exec} java, so {@link #pid()} is the JVM's.
 *
 * <p>Every process ever started is registered with a JVM shutdown hook that SIGKILLs whatever is
 * still alive when the test JVM exits: the last resort behind {@link ProcessCluster#close()}.
 *
 * <p>Thread-safe: state changes (start, signals, waiting for exit) are synchronized on this object;
 * the read-only queries ({@link #pid()}, {@link #isRunning()}, ...) read volatile fields without
 * the lock, so a proxy classifying a connection never waits for a slow stop.
 */
public final class ManagedProcess {
  private static final Logger log = LogManager.getLogger(ManagedProcess.class);
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    LIVE.forEach(
                        p -> {
                          if (p.isAlive()) {
                            resumeQuietly(p.pid());
                            p.destroyForcibly();
                          }
                        }),
                "system-test-process-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path outFile;
  private final Path workDir;
  private volatile Process process;
  private volatile boolean paused;

  public ManagedProcess(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path outFile,
      Path workDir) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.outFile = outFile;
    this.workDir = workDir;
  }

  public String name() {
    return name;
  }

  public Path outFile() {
    return outFile;
  }

  /** Starts the process; fails when it is already running. */
  public synchronized void start() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    try {
      Files.writeString(
          outFile,
          String.format("==== %s starting at %s: %s%n", name, Instant.now(), command),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().clear();
      pb.environment().putAll(environment);
      pb.directory(workDir.toFile());
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(outFile.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    track(process);
    paused = false;
    log.info("started {} (pid {})", name, process.pid());
  }

  /** The pid of the current (or last) process; -1 when never started. */
  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /** Whether the process is alive (also when paused). */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public boolean isPaused() {
    return paused && isRunning();
  }

  /** The exit code of the last process, when it has exited. */
  public Integer exitCode() {
    Process p = process;
    return p == null || p.isAlive() ? null : p.exitValue();
  }

  /** SIGKILL, then waits (deadline {@code timeout}) until the process is gone. */
  public synchronized void kill9(Duration timeout) {
    if (!isRunning()) {
      return;
    }
    process.destroyForcibly();
    awaitExit(timeout, "SIGKILL");
    log.info("killed {} (SIGKILL)", name);
  }

  /**
   * SIGTERM (SIGCONT first when paused), then waits for exit; when the deadline passes the process
   * is SIGKILLed and an {@link AssertionError} says it did not stop cleanly in time.
   */
  public synchronized void terminate(Duration timeout) {
    if (!isRunning()) {
      return;
    }
    if (paused) {
      resume();
    }
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30), "SIGKILL after SIGTERM");
        throw new AssertionError(
            name + " did not exit within " + timeout.toMillis() + " ms of SIGTERM; killed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while stopping " + name, e);
    }
    log.info("stopped {} (SIGTERM), exit code {}", name, process.exitValue());
  }

  /**
   * Sends SIGTERM (SIGCONT first when paused) without waiting, so that several processes can stop
   * at once; follow with {@link #awaitExitOrKill}.
   */
  public synchronized void sendTerminate() {
    if (!isRunning()) {
      return;
    }
    if (paused) {
      resume();
    }
    process.destroy();
  }

  /**
   * Waits until the process exited; when {@code timeout} passes, SIGKILLs it and waits for that.
   *
   * @return true when it exited by itself in time
   */
  public synchronized boolean awaitExitOrKill(Duration timeout) {
    if (!isRunning()) {
      return true;
    }
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.warn("{} did not exit within {} ms; SIGKILL", name, timeout.toMillis());
    resumeQuietly(process.pid());
    process.destroyForcibly();
    awaitExitQuietly();
    return false;
  }

  /** Registers a helper process (e.g. a script run) with the shutdown-hook reaper. */
  static void track(Process p) {
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
  }

  /** SIGSTOP. */
  public synchronized void pause() {
    requireRunning();
    signal("STOP", process.pid());
    paused = true;
    log.info("paused {} (SIGSTOP)", name);
  }

  /** SIGCONT. */
  public synchronized void resume() {
    requireRunning();
    signal("CONT", process.pid());
    paused = false;
    log.info("resumed {} (SIGCONT)", name);
  }

  /** Stops the process whatever its state: SIGCONT, SIGTERM with a deadline, SIGKILL. */
  public synchronized void stopQuietly(Duration timeout) {
    if (!isRunning()) {
      return;
    }
    try {
      terminate(timeout);
    } catch (RuntimeException | AssertionError e) {
      log.warn("{}: {}", name, e.getMessage());
      process.destroyForcibly();
      awaitExitQuietly();
    }
  }

  private void awaitExitQuietly() {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitExit(Duration timeout, String after) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            name
                + " (pid "
                + process.pid()
                + ") still alive "
                + timeout.toMillis()
                + " ms after "
                + after);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
    }
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException(name + " is not running");
    }
  }

  /** The last {@code maxLines} lines of the output file, for failure messages. */
  public String outputTail(int maxLines) {
    try {
      List<String> lines = Files.readAllLines(outFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + outFile + ": " + e + ")";
    }
  }

  static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not finish");
      }
      if (kill.exitValue() != 0) {
        throw new IllegalStateException(
            "kill -" + signal + " " + pid + " failed with exit code " + kill.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending SIG" + signal + " to " + pid, e);
    }
  }

  private static void resumeQuietly(long pid) {
    try {
      signal("CONT", pid);
    } catch (RuntimeException e) {
      // last resort: SIGKILL follows anyway
    }
  }

  @Override
  public String toString() {
    Process p = process;
    return name + (p == null ? " (never started)" : " (pid " + p.pid() + ")");
  }
}
