package io.brook.broker.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A pid file: the decimal process id of a running member and a newline, nothing else (so that
 * {@code kill $(cat DIR/broker-1.pid)} works).
 *
 * <p>A pid file can outlive its process, and the operating system reuses process ids, so {@link
 * #liveProcess} trusts a pid only while a process with that id is alive <em>and</em> its command
 * line mentions the member's configuration file (when the command line is visible at all).
 *
 * <p>Stateless; every method reads or writes the file anew. Written through a temporary file and a
 * rename, so a reader never sees a half-written pid.
 */
public final class PidFile {

  private PidFile() {}

  /** Writes {@code pid} to {@code file}, replacing what was there. */
  public static void write(Path file, long pid) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The pid in {@code file}; empty when the file does not exist or does not hold a positive number
   * (a damaged pid file is treated as no pid file).
   */
  public static OptionalLong read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
    try {
      long pid = Long.parseLong(text);
      return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The live process recorded in {@code file}, if any: alive, and with {@code commandMarker} in its
   * command line when the operating system shows the command line.
   */
  public static Optional<ProcessHandle> liveProcess(Path file, String commandMarker)
      throws IOException {
    OptionalLong pid = read(file);
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid.getAsLong())
        .filter(ProcessHandle::isAlive)
        .filter(p -> runs(p, commandMarker));
  }

  /**
   * Whether the command line of {@code p} mentions {@code marker}; true when it is not visible.
   * Reads {@code /proc/<pid>/cmdline} where there is one: {@link ProcessHandle.Info#commandLine()}
   * is cut at 4096 characters on Linux, shorter than a JVM's command line with a long class path.
   */
  static boolean runs(ProcessHandle p, String marker) {
    Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    if (Files.isReadable(proc)) {
      try {
        byte[] bytes = Files.readAllBytes(proc);
        return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').contains(marker);
      } catch (IOException e) {
        // the process ended meanwhile, or /proc hides it: fall back to what the JDK sees
      }
    }
    Optional<String> commandLine = p.info().commandLine();
    return commandLine.isEmpty() || commandLine.get().contains(marker);
  }

  /** Deletes {@code file} if it exists. */
  public static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
  }
}
