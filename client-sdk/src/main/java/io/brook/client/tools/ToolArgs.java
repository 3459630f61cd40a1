package io.brook.client.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A small parser for Kafka-style tool flags: {@code --flag} (boolean), {@code --flag value}
 * (repeatable), {@code --flag v1 v2 ...} (multi-valued: values up to the next {@code --flag}) and
 * {@code --flag [value]} (an optional value: Kafka's {@code --state} of kafka-consumer-groups.sh).
 * Not thread-safe.
 */
final class ToolArgs {
  /** A user error: the tool prints its message on one line and exits 1. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /**
   * How much longer than an admin call's own timeout a tool waits for its future: the admin client
   * fails the call at its timeout with a message naming the call and its last error, which is
   * better than the bare TimeoutException of the wait.
   */
  static final long AWAIT_MARGIN_MS = 5_000;

  private final Map<String, List<String>> values = new HashMap<>();
  private final Set<String> present = new java.util.HashSet<>();

  ToolArgs(String[] args, Set<String> booleans, Set<String> single, Set<String> multi) {
    this(args, booleans, single, multi, Set.of());
  }

  ToolArgs(
      String[] args,
      Set<String> booleans,
      Set<String> single,
      Set<String> multi,
      Set<String> optionalValue) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String inline = null;
      if (a.startsWith("--")
          && a.contains("=")
          && !multi.contains(a.substring(0, a.indexOf('=')))) {
        inline = a.substring(a.indexOf('=') + 1);
        a = a.substring(0, a.indexOf('='));
      }
      if (booleans.contains(a)) {
        present.add(a);
      } else if (optionalValue.contains(a)) {
        present.add(a);
        List<String> l = values.computeIfAbsent(a, k -> new ArrayList<>());
        if (inline != null) {
          l.add(inline);
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          l.add(args[++i]);
        }
      } else if (single.contains(a)) {
        String v = inline;
        if (v == null) {
          if (i + 1 >= args.length) {
            throw new UsageException("Option " + a + " requires an argument");
          }
          v = args[++i];
        }
        present.add(a);
        values.computeIfAbsent(a, k -> new ArrayList<>()).add(v);
      } else if (multi.contains(a)) {
        present.add(a);
        List<String> l = values.computeIfAbsent(a, k -> new ArrayList<>());
        while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          l.add(args[++i]);
        }
        if (l.isEmpty()) {
          throw new UsageException("Option " + a + " requires an argument");
        }
      } else {
        throw new UsageException(
            a.startsWith("-")
                ? a.replaceFirst("^-+", "") + " is not a recognized option"
                : "Unexpected argument: " + a);
      }
    }
  }

  boolean has(String flag) {
    return present.contains(flag);
  }

  String get(String flag) {
    List<String> l = values.get(flag);
    return l == null || l.isEmpty() ? null : l.get(l.size() - 1);
  }

  String get(String flag, String def) {
    String v = get(flag);
    return v == null ? def : v;
  }

  String required(String flag) {
    String v = get(flag);
    if (v == null) {
      throw new UsageException("Missing required argument \"[" + flag.substring(2) + "]\"");
    }
    return v;
  }

  List<String> all(String flag) {
    return values.getOrDefault(flag, List.of());
  }

  long getLong(String flag, long def) {
    String v = get(flag);
    if (v == null) {
      return def;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid value for " + flag + ": " + v + " (expected a number)");
    }
  }

  int getInt(String flag, int def) {
    long v = getLong(flag, def);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new UsageException("Invalid value for " + flag + ": " + v);
    }
    return (int) v;
  }

  /** Parses {@code k=v} items into {@code props}. */
  static void putKeyValues(List<String> items, Properties props, String flag) {
    for (String kv : items) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("Invalid " + flag + " \"" + kv + "\": expected key=value");
      }
      props.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
  }

  /** Loads a properties file into {@code props}. */
  static void loadFile(String file, Properties props) {
    if (file == null) {
      return;
    }
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      props.load(in);
    } catch (IOException e) {
      throw new UsageException("Cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Runs a tool body, turning failures into one line on stderr and an exit code. */
  static int run(String tool, boolean verbose, ToolBody body) {
    return run(tool, null, verbose, body);
  }

  /**
   * As {@link #run(String, boolean, ToolBody)}; with a non-null {@code errorPrefix} a failure is
   * printed as that prefix and the error's message (Kafka's TopicCommand: {@code "Error while
   * executing topic command : "}).
   */
  static int run(String tool, String errorPrefix, boolean verbose, ToolBody body) {
    try {
      return body.run();
    } catch (UsageException e) {
      System.err.println("Error: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      Throwable root = e;
      if (root instanceof java.util.concurrent.ExecutionException && root.getCause() != null) {
        root = root.getCause();
      }
      String message = String.valueOf(root.getMessage()).replace('\n', ' ');
      System.err.println(
          errorPrefix != null
              ? errorPrefix + message
              : "Error while executing "
                  + tool
                  + ": "
                  + root.getClass().getSimpleName()
                  + ": "
                  + message);
      if (verbose) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  /**
   * Runs a tool body, printing a failure to {@code err} as one line ({@code "Error: "} and the
   * message; for an ExecutionException, its cause's message) and answering exit code 1.
   */
  static int run(PrintStream err, boolean verbose, ToolBody body) {
    try {
      return body.run();
    } catch (UsageException e) {
      err.println("Error: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      Throwable root = e;
      while ((root instanceof java.util.concurrent.ExecutionException
              || root instanceof java.util.concurrent.CompletionException)
          && root.getCause() != null) {
        root = root.getCause();
      }
      String message = root.getMessage() != null ? root.getMessage() : root.toString();
      err.println("Error: " + message.replace('\n', ' '));
      if (verbose) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }

  static boolean verbose(String[] args) {
    for (String a : args) {
      if (a.equals("--verbose") || a.equals("--debug")) {
        return true;
      }
    }
    return false;
  }

  @FunctionalInterface
  interface ToolBody {
    int run() throws Exception;
  }
}
