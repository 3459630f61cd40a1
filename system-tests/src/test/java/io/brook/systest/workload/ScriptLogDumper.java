package io.brook.systest.workload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LogDumper} that runs {@code scripts/brook-dump-log.sh} as a child process, reads its
 * output concurrently (so a large dump cannot fill the pipe and stall it) and kills it by PID if it
 * outlives the deadline. Thread-safe (each call starts its own process).
 */
public final class ScriptLogDumper implements LogDumper {
  private final Path script;
  private final Duration timeout;

  /**
   * @param script the {@code brook-dump-log.sh} to run
   * @param timeout how long one dump may take
   */
  public ScriptLogDumper(Path script, Duration timeout) {
    this.script = script;
    this.timeout = timeout;
  }

  @Override
  public String dump(int brokerId, List<Path> logFiles) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(script.toString());
    cmd.addAll(LogDumper.arguments(logFiles));
    Path stderr = Files.createTempFile("brook-dump-log-" + brokerId + "-", ".err");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
              .start();
      CompletableFuture<String> out =
          CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new IOException(
            "dump of broker " + brokerId + "'s logs took longer than " + timeout + ": " + cmd);
      }
      String output = out.join();
      if (p.exitValue() != 0) {
        throw new IOException(
            "dump of broker "
                + brokerId
                + "'s logs exited with "
                + p.exitValue()
                + ": "
                + Files.readString(stderr));
      }
      return output;
    } finally {
      Files.deleteIfExists(stderr);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
