package io.brook.broker.tools;

import io.brook.common.Time;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Starts, stops and reports the members of a development cluster ({@link ClusterLayout}) as
 * separate processes, with pid files in the cluster directory.
 *
 * <p>Rules: a member whose pid file names a live process (see {@link PidFile#liveProcess}) is
 * running and is never started twice; {@code start} launches only the others (so a killed broker
 * comes back on its data) and then waits, within one deadline, until ZooKeeper answers {@code
 * ruok}, every broker answers clients, every broker is registered and a controller is active, and
 * every broker's own metadata lists all brokers (when that last part still fails {@link
 * #CONSISTENCY_GRACE_MS} after the rest holds, start succeeds with a warning naming the stale
 * broker). A member that dies or does not become ready is reported with the tail of its log ({@link
 * MemberFailure}); the members already running are left running. {@code stop} sends SIGTERM to the
 * brokers, waits, then to ZooKeeper, and sends SIGKILL to whatever outlives its deadline.
 *
 * <p>Used by one thread (the command-line tool's); not thread-safe.
 */
public final class ClusterSupervisor {

  /** How many lines of a failed member's log are shown. */
  static final int LOG_TAIL_LINES = 25;

  private static final long POLL_MS = 200;

  /**
   * How long every broker's own view may lag behind once all are registered and a controller is
   * active, before start succeeds with a warning.
   */
  static final long CONSISTENCY_GRACE_MS = 15_000;

  private final ClusterLayout layout;
  private final MemberLauncher launcher;
  private final ClusterProbe probe;
  private final Time time;
  private final PrintStream progress;

  /** A member that failed to start or to become ready. */
  public static final class MemberFailure extends Exception {
    private final transient ClusterMember member;
    private final List<String> logTail;

    MemberFailure(ClusterMember member, String message, List<String> logTail) {
      super(member.name() + " " + message);
      this.member = member;
      this.logTail = List.copyOf(logTail);
    }

    public ClusterMember member() {
      return member;
    }

    /** The last lines the member wrote in this start (empty when none). */
    public List<String> logTail() {
      return logTail;
    }
  }

  /** One member's state, for {@code status}. */
  public record MemberStatus(ClusterMember member, OptionalLong pid, boolean running) {}

  /**
   * A member being watched during start: its process, the {@link Process} when this run started it
   * (else null), and where its log of this start begins.
   */
  private record Watched(
      ClusterMember member, ProcessHandle process, Process child, long logOffset) {}

  public ClusterSupervisor(
      ClusterLayout layout,
      MemberLauncher launcher,
      ClusterProbe probe,
      Time time,
      PrintStream progress) {
    this.layout = layout;
    this.launcher = launcher;
    this.probe = probe;
    this.time = time;
    this.progress = progress;
  }

  /**
   * Starts the members that are not running and waits until the cluster is ready.
   *
   * @return the bootstrap servers
   * @throws MemberFailure when a member dies, cannot start, or is not ready before {@code timeout}
   */
  public String start(Duration timeout) throws IOException, InterruptedException, MemberFailure {
    long deadline = time.milliseconds() + timeout.toMillis();
    for (Path written : layout.writeMissingConfigs()) {
      progress.println("wrote " + written);
    }
    ClusterMember zk = layout.zookeeper();
    Watched zookeeper = ensureRunning(zk);
    while (!probe.zookeeperOk(zk.port())) {
      checkAlive(zookeeper);
      if (time.milliseconds() >= deadline) {
        throw failure(
            zookeeper,
            "did not answer ruok on port " + zk.port() + " within " + timeout.toSeconds() + " s");
      }
      time.sleep(POLL_MS);
    }

    awaitOldSessionsExpired(deadline);
    Map<Integer, Watched> brokers = new LinkedHashMap<>();
    for (ClusterMember b : layout.brokers().values()) {
      brokers.put(b.brokerId(), ensureRunning(b));
    }
    Set<Integer> expected = layout.brokers().keySet();
    Map<Integer, ClusterProbe.ClusterView> views = new LinkedHashMap<>();
    long registeredSince = -1;
    while (true) {
      for (Watched w : brokers.values()) {
        checkAlive(w);
      }
      checkAlive(zookeeper);
      boolean consistent = true;
      for (ClusterMember b : layout.brokers().values()) {
        Optional<ClusterProbe.ClusterView> view =
            probe.describe(ClusterLayout.HOST + ":" + b.port());
        view.ifPresentOrElse(v -> views.put(b.brokerId(), v), () -> views.remove(b.brokerId()));
        consistent &= view.isPresent() && view.get().complete(expected);
      }
      if (consistent) {
        return layout.bootstrapServers();
      }
      long now = time.milliseconds();
      if (registeredAndControlled(views, expected)) {
        registeredSince = registeredSince < 0 ? now : registeredSince;
        if (now - registeredSince >= CONSISTENCY_GRACE_MS) {
          warnStaleViews(views, expected);
          return layout.bootstrapServers();
        }
      } else {
        registeredSince = -1;
      }
      if (now >= deadline) {
        throw notReady(brokers, views, expected, timeout);
      }
      time.sleep(POLL_MS);
    }
  }

  /**
   * The readiness of the contract: every broker answers clients, the brokers together list every id
   * as registered, and a controller is active.
   */
  private static boolean registeredAndControlled(
      Map<Integer, ClusterProbe.ClusterView> views, Set<Integer> expected) {
    if (!views.keySet().containsAll(expected)) {
      return false;
    }
    Set<Integer> registered = new TreeSet<>();
    boolean controller = false;
    for (ClusterProbe.ClusterView v : views.values()) {
      registered.addAll(v.brokerIds());
      controller |= v.controllerId() >= 0;
    }
    return controller && registered.containsAll(expected);
  }

  /**
   * Every broker is registered and a controller is active, but some broker's metadata still lacks
   * brokers long after: the controller's UpdateMetadata did not reach it (a bug worth seeing). The
   * cluster is usable through the other brokers, so start succeeds, loudly.
   */
  private void warnStaleViews(Map<Integer, ClusterProbe.ClusterView> views, Set<Integer> expected) {
    views.forEach(
        (id, v) -> {
          Set<Integer> missing = new TreeSet<>(expected);
          missing.removeAll(v.brokerIds());
          if (!missing.isEmpty() || v.controllerId() < 0) {
            progress.printf(
                "WARNING: broker-%d still lists live brokers %s (controller %d) %d s after all"
                    + " registered, missing %s: its metadata is stale (UpdateMetadata from the"
                    + " controller lost or applied out of order); clients bootstrapping from it"
                    + " may not find every leader%n",
                id, v.brokerIds(), v.controllerId(), CONSISTENCY_GRACE_MS / 1000, missing);
          }
        });
  }

  /** Stops every running member: brokers first, then ZooKeeper. */
  public void stop(Duration brokerTimeout, Duration zookeeperTimeout)
      throws IOException, InterruptedException {
    Map<ClusterMember, ProcessHandle> brokers = new LinkedHashMap<>();
    for (ClusterMember b : layout.brokers().values()) {
      Optional<ProcessHandle> p = PidFile.liveProcess(b.pidFile(), b.config().toString());
      if (p.isPresent()) {
        brokers.put(b, p.get());
      } else {
        progress.println(b.name() + " is not running");
        PidFile.delete(b.pidFile());
      }
    }
    terminate(brokers, brokerTimeout);
    ClusterMember zk = layout.zookeeper();
    Optional<ProcessHandle> zkProcess = PidFile.liveProcess(zk.pidFile(), zk.config().toString());
    if (zkProcess.isPresent()) {
      terminate(Map.of(zk, zkProcess.get()), zookeeperTimeout);
    } else {
      progress.println(zk.name() + " is not running");
      PidFile.delete(zk.pidFile());
    }
  }

  /** Every member, ZooKeeper first, with its pid and whether it runs. */
  public List<MemberStatus> status() throws IOException {
    List<MemberStatus> all = new ArrayList<>();
    for (ClusterMember m : layout.members()) {
      OptionalLong pid = PidFile.read(m.pidFile());
      boolean running = PidFile.liveProcess(m.pidFile(), m.config().toString()).isPresent();
      all.add(new MemberStatus(m, pid, running));
    }
    return all;
  }

  /**
   * A broker killed without a clean shutdown stays registered until its ZooKeeper session expires
   * (zookeeper.session.timeout.ms), and a new broker with its id is refused until then: wait for
   * the registrations of the brokers that are not running to go away.
   */
  private void awaitOldSessionsExpired(long deadline)
      throws IOException, InterruptedException, MemberFailure {
    Set<Integer> down = new TreeSet<>();
    for (ClusterMember b : layout.brokers().values()) {
      if (PidFile.liveProcess(b.pidFile(), b.config().toString()).isEmpty()) {
        down.add(b.brokerId());
      }
    }
    boolean said = false;
    while (true) {
      Set<Integer> stale = new TreeSet<>(probe.registeredBrokers(layout.zookeeper().port()));
      stale.retainAll(down);
      if (stale.isEmpty()) {
        return;
      }
      if (!said) {
        progress.printf(
            "waiting for the ZooKeeper sessions of the previous broker(s) %s to expire"
                + " (zookeeper.session.timeout.ms)%n",
            stale);
        said = true;
      }
      if (time.milliseconds() >= deadline) {
        ClusterMember b = layout.brokers().get(stale.iterator().next());
        throw new MemberFailure(
            b, "is still registered in ZooKeeper by a process that is not running", List.of());
      }
      time.sleep(POLL_MS);
    }
  }

  private Watched ensureRunning(ClusterMember m) throws IOException, MemberFailure {
    Optional<ProcessHandle> live = PidFile.liveProcess(m.pidFile(), m.config().toString());
    if (live.isPresent()) {
      progress.printf("%s is already running (pid %d)%n", m.name(), live.get().pid());
      return new Watched(m, live.get(), null, logSize(m));
    }
    if (!portFree(m.port())) {
      throw new MemberFailure(
          m,
          "cannot start: port "
              + m.port()
              + " on "
              + ClusterLayout.HOST
              + " is already in use by another process",
          List.of());
    }
    long offset = logSize(m);
    Process p;
    try {
      p = launcher.launch(m);
    } catch (IOException e) {
      throw new MemberFailure(m, "cannot start: " + e.getMessage(), List.of());
    }
    PidFile.write(m.pidFile(), p.pid());
    progress.printf(
        "started %s (pid %d, port %d, log %s)%n", m.name(), p.pid(), m.port(), m.logFile());
    return new Watched(m, p.toHandle(), p, offset);
  }

  private void checkAlive(Watched w) throws MemberFailure {
    if (!w.process().isAlive()) {
      // Only a child's exit code is known; a member started by an earlier run is not our child.
      String how = w.child() == null ? "exited" : "exited with code " + w.child().exitValue();
      throw failure(w, how + " before the cluster was ready");
    }
  }

  private MemberFailure notReady(
      Map<Integer, Watched> brokers,
      Map<Integer, ClusterProbe.ClusterView> views,
      Set<Integer> expected,
      Duration timeout) {
    String within = " within " + timeout.toSeconds() + " s";
    for (Map.Entry<Integer, Watched> e : brokers.entrySet()) {
      ClusterProbe.ClusterView view = views.get(e.getKey());
      if (view == null) {
        return failure(e.getValue(), "did not answer clients on its port" + within);
      }
    }
    Set<Integer> registered = new TreeSet<>();
    int controller = -1;
    for (ClusterProbe.ClusterView v : views.values()) {
      registered.addAll(v.brokerIds());
      controller = Math.max(controller, v.controllerId());
    }
    for (Map.Entry<Integer, Watched> e : brokers.entrySet()) {
      if (!views.get(e.getKey()).brokerIds().containsAll(expected)) {
        Set<Integer> missing = new TreeSet<>(expected);
        missing.removeAll(views.get(e.getKey()).brokerIds());
        return failure(
            e.getValue(),
            "does not see brokers "
                + missing
                + " registered"
                + within
                + " (seen: "
                + registered
                + ")");
      }
    }
    Watched first = brokers.values().iterator().next();
    return failure(
        first, "reports no active controller" + within + " (registered: " + registered + ")");
  }

  private MemberFailure failure(Watched w, String message) {
    return new MemberFailure(w.member(), message, tail(w.member().logFile(), w.logOffset()));
  }

  private void terminate(Map<ClusterMember, ProcessHandle> members, Duration timeout)
      throws IOException, InterruptedException {
    if (members.isEmpty()) {
      return;
    }
    members.forEach(
        (m, p) -> {
          progress.printf("stopping %s (pid %d)%n", m.name(), p.pid());
          p.destroy();
        });
    long deadline = time.milliseconds() + timeout.toMillis();
    for (Map.Entry<ClusterMember, ProcessHandle> e : members.entrySet()) {
      ProcessHandle p = e.getValue();
      while (p.isAlive() && time.milliseconds() < deadline) {
        time.sleep(POLL_MS);
      }
      if (p.isAlive()) {
        progress.printf(
            "%s (pid %d) still runs after %d s: killing it%n",
            e.getKey().name(), p.pid(), timeout.toSeconds());
        p.destroyForcibly();
        long killDeadline = time.milliseconds() + 10_000;
        while (p.isAlive() && time.milliseconds() < killDeadline) {
          time.sleep(POLL_MS);
        }
      }
      if (p.isAlive()) {
        progress.printf("%s (pid %d) did not die%n", e.getKey().name(), p.pid());
      } else {
        PidFile.delete(e.getKey().pidFile());
        progress.printf("stopped %s%n", e.getKey().name());
      }
    }
  }

  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(ClusterLayout.HOST), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long logSize(ClusterMember m) throws IOException {
    return Files.exists(m.logFile()) ? Files.size(m.logFile()) : 0;
  }

  /** The last {@link #LOG_TAIL_LINES} lines of {@code file} from byte {@code offset} on. */
  static List<String> tail(Path file, long offset) {
    Deque<String> lines = new ArrayDeque<>();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(offset, f.length() - 64 * 1024);
      f.seek(Math.min(start, f.length()));
      byte[] bytes = new byte[(int) (f.length() - f.getFilePointer())];
      f.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      for (String line : text.split("\\R")) {
        lines.addLast(line);
        if (lines.size() > LOG_TAIL_LINES) {
          lines.removeFirst();
        }
      }
    } catch (IOException e) {
      return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
    }
    while (!lines.isEmpty() && lines.peekLast().isBlank()) {
      lines.removeLast();
    }
    return new ArrayList<>(lines);
  }
}
