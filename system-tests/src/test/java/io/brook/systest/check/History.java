package io.brook.systest.check;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the clients of one topic did and saw, in the order it happened: send attempts, their
 * outcomes, consumer reads, seeks and errors. The checker's main input.
 *
 * <p>Thread-safe: producer threads, producer I/O threads (callbacks) and consumer threads append
 * concurrently; {@link #events()} returns a snapshot. Appends are ordered by a single lock, so the
 * order of events of one thread is the order it appended them, and an outcome always follows its
 * attempt (the attempt is appended before {@code send()} is called).
 */
public final class History {
  /** One thing that happened. {@code atNanos} is System.nanoTime() of the test JVM. */
  public sealed interface Event permits SendAttempt, SendOk, SendFailed, Read, Seek, ConsumerError {
    long atNanos();

    /** The event as one line of the history file, without a line break. */
    String toLine();
  }

  /** The producer is about to send {@code value} to {@code partition}. */
  public record SendAttempt(long atNanos, int partition, String value) implements Event {
    @Override
    public String toLine() {
      return "SEND t=" + atNanos + " p=" + partition + " v=" + value;
    }
  }

  /**
   * The client reported success: the record is at {@code offset} of {@code partition}, or, for
   * acks=0, {@code offset} is -1 (the client only knows it handed the record to the network).
   */
  public record SendOk(long atNanos, int partition, long offset, String value) implements Event {
    @Override
    public String toLine() {
      return "OK t=" + atNanos + " p=" + partition + " o=" + offset + " v=" + value;
    }
  }

  /**
   * The client reported failure. {@code definite} is true only when the record was provably never
   * appended (see the workload's rule); otherwise the record may or may not be in the log.
   */
  public record SendFailed(
      long atNanos,
      int partition,
      String value,
      String errorClass,
      String message,
      boolean definite)
      implements Event {
    @Override
    public String toLine() {
      return "FAIL t="
          + atNanos
          + " p="
          + partition
          + " definite="
          + definite
          + " error="
          + errorClass
          + " v="
          + value
          + " msg="
          + oneLine(message);
    }
  }

  /**
   * Consumer {@code consumer} got {@code value} at {@code offset} in its poll number {@code poll}.
   */
  public record Read(
      long atNanos, String consumer, long poll, int partition, long offset, String value)
      implements Event {
    @Override
    public String toLine() {
      return "READ t=" + atNanos + " c=" + consumer + " poll=" + poll + " p=" + partition + " o="
          + offset + " v=" + value;
    }
  }

  /**
   * Consumer {@code consumer} will next read {@code partition} from {@code offset} (its start, a
   * restart, or a reset after an error): the next read of that partition is expected there.
   */
  public record Seek(long atNanos, String consumer, int partition, long offset, String reason)
      implements Event {
    @Override
    public String toLine() {
      return "SEEK t="
          + atNanos
          + " c="
          + consumer
          + " p="
          + partition
          + " o="
          + offset
          + " reason="
          + oneLine(reason);
    }
  }

  /** A consumer's poll failed; recorded for the reader of the history, not checked. */
  public record ConsumerError(long atNanos, String consumer, String errorClass, String message)
      implements Event {
    @Override
    public String toLine() {
      return "CERR t="
          + atNanos
          + " c="
          + consumer
          + " error="
          + errorClass
          + " msg="
          + oneLine(message);
    }
  }

  private final String topic;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final List<Event> events = new ArrayList<>();

  public History(String topic) {
    this.topic = topic;
  }

  public String topic() {
    return topic;
  }

  public void add(Event e) {
    synchronized (lock) {
      events.add(e);
    }
  }

  /** A snapshot of the events so far, in append order. */
  public List<Event> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  public int size() {
    synchronized (lock) {
      return events.size();
    }
  }

  /** Writes the events so far to {@code file}, one line each (see each event's toLine). */
  public void save(Path file) throws IOException {
    List<Event> snapshot = events();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("# history of topic " + topic + ": " + snapshot.size() + " events");
      w.newLine();
      for (Event e : snapshot) {
        w.write(e.toLine());
        w.newLine();
      }
    }
  }

  private static String oneLine(String s) {
    return s == null ? "null" : s.replace('\n', ' ').replace('\r', ' ');
  }
}
