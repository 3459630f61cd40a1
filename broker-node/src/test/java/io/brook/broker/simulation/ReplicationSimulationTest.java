package io.brook.broker.simulation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.broker.log.FetchDataInfo;
import io.brook.broker.log.Log;
import io.brook.broker.log.LogManager;
import io.brook.broker.log.LogManagerConfig;
import io.brook.broker.log.LogStorageException;
import io.brook.broker.log.OffsetAndEpoch;
import io.brook.broker.replica.AlterPartitionSender;
import io.brook.broker.replica.ApiException;
import io.brook.broker.replica.FollowerFetching;
import io.brook.broker.replica.Partition;
import io.brook.broker.replica.ReplicaManager;
import io.brook.broker.replica.fetcher.TruncationDecision;
import io.brook.common.Header;
import io.brook.common.MockTime;
import io.brook.common.TopicPartition;
import io.brook.controller.election.AlterPartitionValidation;
import io.brook.controller.election.PartitionLeaderElection;
import io.brook.metadata.LeaderAndIsr;
import io.brook.protocol.record.CompressionType;
import io.brook.protocol.record.RecordBatch;
import io.brook.protocol.record.RecordBatchBuilder;
import io.brook.protocol.record.TimestampType;
import io.brook.protocol.v1.AlterPartitionItem;
import io.brook.protocol.v1.AlterPartitionRequest;
import io.brook.protocol.v1.AlterPartitionResponse;
import io.brook.protocol.v1.AlterPartitionResult;
import io.brook.protocol.v1.AlterPartitionTopic;
import io.brook.protocol.v1.AlterPartitionTopicResult;
import io.brook.protocol.v1.BrokerEndpoint;
import io.brook.protocol.v1.EpochEndOffset;
import io.brook.protocol.v1.EpochQuery;
import io.brook.protocol.v1.ErrorCode;
import io.brook.protocol.v1.LeaderAndIsrRequest;
import io.brook.protocol.v1.LeaderAndIsrTopic;
import io.brook.protocol.v1.OffsetForLeaderEpochRequest;
import io.brook.protocol.v1.OffsetForLeaderEpochResponse;
import io.brook.protocol.v1.PartitionProduceData;
import io.brook.protocol.v1.PartitionProduceResponse;
import io.brook.protocol.v1.PartitionState;
import io.brook.protocol.v1.ProduceRequest;
import io.brook.protocol.v1.ProduceResponse;
import io.brook.protocol.v1.ReplicaFetchData;
import io.brook.protocol.v1.ReplicaFetchPosition;
import io.brook.protocol.v1.ReplicaFetchRequest;
import io.brook.protocol.v1.TopicProduceData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded, deterministic simulation of three brokers, their partition replicas and the controller
 * (issue 3, point 10), exercising the real replication code: each broker is a real {@link
 * ReplicaManager} (real {@link Partition}s over real {@link Log}s in a temp dir) driven on this
 * thread with a {@link MockTime} and a {@link SimScheduler}; the controller makes its decisions
 * with the real pure functions ({@link PartitionLeaderElection}, {@link AlterPartitionValidation});
 * the follower side uses {@link TruncationDecision}, {@link Log#endOffsetForEpoch} (through the
 * leader's {@link ReplicaManager#offsetForLeaderEpoch}) and the Partition follower methods, as
 * {@code ReplicaFetcher} does (its thread is replaced by the simulation's events). Messages
 * (LeaderAndIsr, AlterPartition and its answer, follower fetches, OffsetForLeaderEpoch and their
 * answers) travel through an in-memory network that delivers them reordered within a small window,
 * delays or drops them as the seeded {@link Random} decides.
 *
 * <p>After every event the invariants are checked; a violation fails with the seed, the event index
 * and the last 30 events. {@code -Dbrook.sim.seed=N} runs only seed N ({@code -Dbrook.sim.events}
 * and {@code -Dbrook.sim.seeds} change the defaults: 20 seeds of 300 events).
 *
 * <p>Not modelled: loss of unflushed data at a crash (a crashed broker's log keeps every append),
 * unclean leader election, the controller's own failover.
 */
class ReplicationSimulationTest {
  @TempDir Path tmp;

  @Test
  void seededSimulation() throws Exception {
    String only = System.getProperty("brook.sim.seed");
    int events = Integer.getInteger("brook.sim.events", 300);
    List<Long> seeds = new ArrayList<>();
    if (only != null && !only.isBlank()) {
      seeds.add(Long.parseLong(only.trim()));
    } else {
      int n = Integer.getInteger("brook.sim.seeds", 20);
      for (long s = 1; s <= n; s++) {
        seeds.add(s);
      }
    }
    int totalAcked = 0;
    for (long seed : seeds) {
      Path dir = Files.createDirectories(tmp.resolve("seed-" + seed));
      long t0 = System.nanoTime();
      try (Sim sim = new Sim(seed, dir)) {
        sim.run(events);
        totalAcked += sim.ackedCount();
        System.out.printf(
            "simulation seed %d: %d events, %d partition(s), %d acks=all acknowledged, %s (%d ms)%n",
            seed,
            events,
            sim.partitions,
            sim.ackedCount(),
            sim.stats,
            (System.nanoTime() - t0) / 1_000_000);
      }
    }
    // The simulation must actually commit something, or it checks nothing.
    assertTrue(totalAcked > 0, "no acks=all record was acknowledged in any seed");
  }

  // ====================================================================== the simulation

  static final String TOPIC = "sim";
  static final UUID TOPIC_ID = UUID.fromString("00000000-0000-0000-0000-00000000b00c");
  static final int MIN_ISR = 2;
  static final long LAG_MS = 30_000;
  static final long FETCH_TIMEOUT_MS = 10_000;
  static final List<Integer> BROKERS = List.of(1, 2, 3);

  /** A violated invariant. */
  static final class Violation extends RuntimeException {
    Violation(String m) {
      super(m);
    }
  }

  /** A message in flight. */
  static final class Msg {
    final String what;
    final Runnable deliver;
    final Runnable drop;

    Msg(String what, Runnable deliver, Runnable drop) {
      this.what = what;
      this.deliver = deliver;
      this.drop = drop;
    }
  }

  /** The follower side of one partition on one broker (the state ReplicaFetcher keeps). */
  static final class FetchState {
    final Partition partition;
    final int leaderId;
    final int leaderEpoch;
    String phase = "TRUNCATING";
    long inFlightToken = -1;
    long inFlightSinceMs;

    FetchState(Partition partition, int leaderId, int leaderEpoch) {
      this.partition = partition;
      this.leaderId = leaderId;
      this.leaderEpoch = leaderEpoch;
    }
  }

  /** One broker incarnation (a restart makes a new ReplicaManager over the same directory). */
  final class Broker implements FollowerFetching {
    final int id;
    final Path dir;
    boolean alive;
    int incarnation;
    long brokerEpoch;
    SimScheduler scheduler;
    LogManager logManager;
    ReplicaManager rm;
    final Map<Integer, FetchState> fetching = new TreeMap<>();

    Broker(int id, Path dir) {
      this.id = id;
      this.dir = dir;
    }

    void start(Sim sim) {
      incarnation++;
      fetching.clear();
      scheduler = new SimScheduler(sim.time);
      logManager = new LogManager(List.of(dir), LogManagerConfig.DEFAULT, scheduler, sim.time);
      logManager.startup();
      int inc = incarnation;
      AlterPartitionSender sender = req -> sim.sendAlterPartition(this, inc, req);
      rm =
          new ReplicaManager(
              id,
              logManager,
              Map.of(ReplicaManager.REPLICA_LAG_TIME_MAX_MS, Long.toString(LAG_MS)),
              t -> true,
              scheduler,
              sim.time,
              this,
              sender,
              () -> brokerEpoch);
      alive = true;
    }

    void crash() {
      alive = false;
      fetching.clear();
      rm.close();
      logManager.close();
      scheduler.close();
    }

    Optional<Partition> partition(int p) {
      return alive ? rm.partition(new TopicPartition(TOPIC, p)) : Optional.empty();
    }

    @Override
    public void startFetching(Map<Partition, FetchStart> partitions) {
      partitions.forEach(
          (p, s) ->
              fetching.put(
                  p.topicPartition().partition(),
                  new FetchState(p, s.leaderId(), s.leaderEpoch())));
    }

    @Override
    public void stopFetching(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> fetching.remove(tp.partition()));
    }

    @Override
    public void close() {
      fetching.clear();
    }
  }

  /** One run of one seed. */
  final class Sim implements AutoCloseable {
    final long seed;
    final Random rnd;
    final MockTime time = new MockTime(1_700_000_000_000L);
    final int partitions;
    final Map<Integer, Broker> brokers = new TreeMap<>();
    final List<Msg> network = new ArrayList<>();
    final Deque<String> trace = new ArrayDeque<>();
    int eventIndex;
    long nextToken;

    // controller state
    final Map<Integer, LeaderAndIsr> ctrlState = new TreeMap<>();
    final Map<Integer, List<Integer>> assignment = new TreeMap<>();
    final Set<Integer> ctrlLive = new TreeSet<>();
    final Set<Integer> shuttingDown = new TreeSet<>();
    final Map<Integer, Long> registeredEpoch = new TreeMap<>();
    final int controllerEpoch = 1;
    long brokerEpochSeq = 100;

    // checker state
    final Map<String, Integer> leaderOfEpoch = new HashMap<>();
    final Map<String, Integer> lastLeaderEpoch = new HashMap<>();
    final Map<String, Long> lastLeaderHw = new HashMap<>();
    final Map<Integer, Integer> lastCtrlEpoch = new HashMap<>();
    final Map<Integer, TreeMap<Long, Long>> committed = new TreeMap<>();
    final Map<Integer, TreeMap<Long, Long>> acked = new TreeMap<>();
    final List<Runnable> pendingAcks = new ArrayList<>();
    final Map<String, Integer> stats = new TreeMap<>();

    void count(String what) {
      stats.merge(what, 1, Integer::sum);
    }

    Sim(long seed, Path dir) throws Exception {
      this.seed = seed;
      this.rnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
      this.partitions = 1 + rnd.nextInt(2);
      for (int b : BROKERS) {
        Broker broker = new Broker(b, Files.createDirectories(dir.resolve("broker-" + b)));
        brokers.put(b, broker);
        broker.start(this);
        register(broker);
      }
      for (int p = 0; p < partitions; p++) {
        List<Integer> a = new ArrayList<>();
        for (int i = 0; i < BROKERS.size(); i++) {
          a.add(BROKERS.get((p + i) % BROKERS.size()));
        }
        assignment.put(p, List.copyOf(a));
        ctrlState.put(
            p,
            PartitionLeaderElection.initialState(a, ctrlLive, controllerEpoch)
                .withPartitionEpoch(0));
        committed.put(p, new TreeMap<>());
        acked.put(p, new TreeMap<>());
      }
      for (int p = 0; p < partitions; p++) {
        announce(p);
      }
      // the initial LeaderAndIsr arrives everywhere
      while (!network.isEmpty()) {
        network.remove(0).deliver.run();
      }
      note("start: " + partitions + " partition(s), assignment " + assignment + ", " + ctrlState);
    }

    int ackedCount() {
      int n = 0;
      for (TreeMap<Long, Long> m : acked.values()) {
        n += m.size();
      }
      return n;
    }

    void note(String s) {
      trace.addLast("#" + eventIndex + " t=" + (time.milliseconds() % 10_000_000) + " " + s);
      while (trace.size() > 30) {
        trace.removeFirst();
      }
    }

    void run(int events) {
      for (eventIndex = 1; eventIndex <= events; eventIndex++) {
        try {
          step();
          settleAcks();
          check();
        } catch (Violation | AssertionError e) {
          throw new AssertionError(failure(e.getMessage()), e);
        } catch (RuntimeException e) {
          throw new AssertionError(failure("unexpected " + e), e);
        }
      }
    }

    String failure(String why) {
      StringBuilder sb = new StringBuilder();
      sb.append("Simulation seed ")
          .append(seed)
          .append(" failed at event ")
          .append(eventIndex)
          .append(": ")
          .append(why)
          .append("\n  replay: -Dbrook.sim.seed=")
          .append(seed)
          .append("\n  controller: ")
          .append(ctrlState)
          .append(" live ")
          .append(ctrlLive)
          .append("\n  last events:\n");
      for (String t : trace) {
        sb.append("    ").append(t).append('\n');
      }
      return sb.toString();
    }

    // ------------------------------------------------------------------ events

    void step() {
      int r = rnd.nextInt(1000);
      if (r < 200) {
        produce();
      } else if (r < 550) {
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          deliver();
        }
      } else if (r < 562) {
        drop();
      } else if (r < 860) {
        fetchRound();
      } else if (r < 935) {
        advance(rnd.nextInt(600));
      } else if (r < 941) {
        advance(LAG_MS / 2 + rnd.nextInt((int) LAG_MS));
      } else if (r < 947) {
        crash();
      } else if (r < 952) {
        sessionExpiry();
      } else if (r < 975) {
        restartOrRejoin();
      } else if (r < 980) {
        controlledShutdown();
      } else {
        resendState();
      }
    }

    Broker randomBroker() {
      return brokers.get(BROKERS.get(rnd.nextInt(BROKERS.size())));
    }

    void produce() {
      int p = rnd.nextInt(partitions);
      int acks = rnd.nextInt(3) == 0 ? 1 : -1;
      LeaderAndIsr s = ctrlState.get(p);
      Broker b = s.hasLeader() && rnd.nextInt(5) != 0 ? brokers.get(s.leader()) : randomBroker();
      if (!b.alive) {
        note("produce p" + p + " acks=" + acks + " to dead broker " + b.id + ": no answer");
        return;
      }
      int records = 1 + rnd.nextInt(3);
      RecordBatchBuilder builder =
          new RecordBatchBuilder(CompressionType.NONE, TimestampType.CREATE_TIME, 0, 256);
      for (int i = 0; i < records; i++) {
        builder.append(
            time.milliseconds(),
            null,
            ("seed-" + seed + "-event-" + eventIndex + "-" + i).getBytes(StandardCharsets.UTF_8),
            new Header[0]);
      }
      ProduceRequest req =
          ProduceRequest.newBuilder()
              .setRequestId(eventIndex)
              .setAcks(acks)
              .setTimeoutMs(30_000)
              .addTopics(
                  TopicProduceData.newBuilder()
                      .setTopic(TOPIC)
                      .addPartitions(
                          PartitionProduceData.newBuilder()
                              .setPartition(p)
                              .setRecords(ByteString.copyFrom(builder.build()))))
              .build();
      int inc = b.incarnation;
      int ev = eventIndex;
      CompletableFuture<ProduceResponse> f = b.rm.appendRecords(req);
      Optional<Partition> part = b.partition(p);
      Log log = part.map(Partition::log).orElse(null);
      f.whenComplete(
          (resp, err) -> {
            if (err != null || acks != -1) {
              return;
            }
            PartitionProduceResponse pr = resp.getTopics(0).getPartitions(0);
            if (pr.getError() == ErrorCode.NONE) {
              pendingAcks.add(() -> recordAck(p, b, inc, log, pr.getBaseOffset(), ev));
            }
          });
      PartitionProduceResponse immediate =
          f.isDone() ? f.getNow(null).getTopics(0).getPartitions(0) : null;
      note(
          "produce p"
              + p
              + " acks="
              + acks
              + " to broker "
              + b.id
              + " -> "
              + (immediate == null
                  ? "waiting"
                  : immediate.getError() + " @" + immediate.getBaseOffset()));
    }

    void recordAck(int p, Broker b, int inc, Log log, long base, int ev) {
      if (log == null) {
        throw new Violation("acks=all ack without a log on broker " + b.id);
      }
      Map<Long, Long> batches = batches(log, log.logEndOffset());
      Long crc = batches.get(base);
      if (crc == null) {
        throw new Violation(
            "broker "
                + b.id
                + " acknowledged acks=all batch at "
                + base
                + " of p"
                + p
                + " (produced at event "
                + ev
                + ") but its log has no batch there");
      }
      acked.get(p).put(base, crc);
      note("  acks=all acknowledged p" + p + " @" + base + " by broker " + b.id + "/" + inc);
    }

    void settleAcks() {
      while (!pendingAcks.isEmpty()) {
        List<Runnable> now = new ArrayList<>(pendingAcks);
        pendingAcks.clear();
        now.forEach(Runnable::run);
      }
    }

    void deliver() {
      if (network.isEmpty()) {
        note("deliver: nothing in flight");
        return;
      }
      Msg m = network.remove(rnd.nextInt(Math.min(3, network.size())));
      note("deliver " + m.what);
      count("deliveries");
      m.deliver.run();
    }

    void drop() {
      if (network.isEmpty()) {
        note("drop: nothing in flight");
        return;
      }
      Msg m = network.remove(rnd.nextInt(network.size()));
      note("drop " + m.what);
      m.drop.run();
    }

    void advance(long ms) {
      time.advance(ms);
      note("time +" + ms + " ms");
      for (Broker b : brokers.values()) {
        if (b.alive) {
          b.scheduler.runDue();
        }
      }
    }

    void crash() {
      List<Broker> alive = brokers.values().stream().filter(b -> b.alive).toList();
      if (alive.size() <= 1) {
        note("crash: not with one broker left");
        return;
      }
      Broker b = alive.get(rnd.nextInt(alive.size()));
      b.crash();
      count("crashes");
      boolean noticed = rnd.nextBoolean();
      note("crash broker " + b.id + (noticed ? " (controller notices at once)" : ""));
      if (noticed) {
        brokerLeaves(b.id);
      }
    }

    void sessionExpiry() {
      if (ctrlLive.isEmpty()) {
        return;
      }
      List<Integer> live = new ArrayList<>(ctrlLive);
      int id = live.get(rnd.nextInt(live.size()));
      note(
          "ZooKeeper session of broker "
              + id
              + " expires"
              + (brokers.get(id).alive ? " (the broker keeps running)" : ""));
      brokerLeaves(id);
    }

    void restartOrRejoin() {
      List<Broker> down = new ArrayList<>();
      for (Broker b : brokers.values()) {
        if (!b.alive || !ctrlLive.contains(b.id)) {
          down.add(b);
        }
      }
      if (down.isEmpty()) {
        note("restart: every broker is up");
        return;
      }
      Broker b = down.get(rnd.nextInt(down.size()));
      if (ctrlLive.contains(b.id)) {
        brokerLeaves(b.id); // a bounce the controller had not seen: it sees it now
      }
      if (!b.alive) {
        b.start(this);
        note("restart broker " + b.id + " (incarnation " + b.incarnation + ")");
      } else {
        note("broker " + b.id + " registers again after its session expired");
      }
      register(b);
      for (int p = 0; p < partitions; p++) {
        LeaderAndIsr s = ctrlState.get(p);
        Optional<LeaderAndIsr> n =
            PartitionLeaderElection.onOfflinePartition(
                s, assignment.get(p), eligible(), false, controllerEpoch);
        if (n.isPresent()) {
          write(p, n.get(), "offline partition elected");
        } else if (assignment.get(p).contains(b.id)) {
          sendLeaderAndIsr(p, b);
        }
      }
    }

    void controlledShutdown() {
      List<Broker> alive =
          brokers.values().stream().filter(b -> b.alive && ctrlLive.contains(b.id)).toList();
      if (alive.size() <= 1) {
        note("controlled shutdown: not with one broker left");
        return;
      }
      Broker b = alive.get(rnd.nextInt(alive.size()));
      note("controlled shutdown of broker " + b.id);
      shuttingDown.add(b.id);
      for (int p = 0; p < partitions; p++) {
        LeaderAndIsr s = ctrlState.get(p);
        if (s.leader() == b.id) {
          Optional<LeaderAndIsr> n =
              PartitionLeaderElection.onControlledShutdown(
                  s, assignment.get(p), b.id, eligible(), controllerEpoch);
          if (n.isPresent()) {
            write(p, n.get(), "controlled shutdown moves leadership");
          }
        } else if (s.hasLeader() && s.isr().contains(b.id)) {
          List<Integer> isr = new ArrayList<>(s.isr());
          isr.remove(Integer.valueOf(b.id));
          write(p, s.newLeaderAndIsr(s.leader(), isr, controllerEpoch), "controlled shutdown");
        }
      }
      // The broker goes down once the controller answered (its LeaderAndIsr may still travel).
      b.crash();
      brokerLeaves(b.id);
    }

    void resendState() {
      note("controller resends LeaderAndIsr to every live broker");
      for (int p = 0; p < partitions; p++) {
        for (int r : assignment.get(p)) {
          if (ctrlLive.contains(r)) {
            sendLeaderAndIsr(p, brokers.get(r));
          }
        }
      }
    }

    // ------------------------------------------------------------------ controller

    Set<Integer> eligible() {
      Set<Integer> s = new TreeSet<>(ctrlLive);
      s.removeAll(shuttingDown);
      return s;
    }

    void register(Broker b) {
      b.brokerEpoch = ++brokerEpochSeq;
      registeredEpoch.put(b.id, b.brokerEpoch);
      ctrlLive.add(b.id);
      shuttingDown.remove(b.id);
    }

    void brokerLeaves(int id) {
      if (!ctrlLive.remove(id)) {
        return;
      }
      shuttingDown.remove(id);
      registeredEpoch.remove(id);
      for (int p = 0; p < partitions; p++) {
        Optional<LeaderAndIsr> n =
            PartitionLeaderElection.onReplicasOffline(
                ctrlState.get(p), assignment.get(p), eligible(), false, controllerEpoch);
        if (n.isPresent()) {
          write(p, n.get(), "broker " + id + " left");
        }
      }
    }

    /** A conditional write of the state znode (partition epoch + 1), then LeaderAndIsr. */
    void write(int p, LeaderAndIsr next, String why) {
      LeaderAndIsr cur = ctrlState.get(p);
      LeaderAndIsr written = next.withPartitionEpoch(cur.partitionEpoch() + 1);
      ctrlState.put(p, written);
      count(written.leader() != cur.leader() ? "leader changes" : "ISR changes");
      note("  controller: p" + p + " " + cur + " -> " + written + " (" + why + ")");
      announce(p);
    }

    void announce(int p) {
      for (int r : assignment.get(p)) {
        if (ctrlLive.contains(r)) {
          sendLeaderAndIsr(p, brokers.get(r));
        }
      }
    }

    void sendLeaderAndIsr(int p, Broker to) {
      LeaderAndIsr s = ctrlState.get(p);
      LeaderAndIsrRequest.Builder req =
          LeaderAndIsrRequest.newBuilder()
              .addTopics(
                  LeaderAndIsrTopic.newBuilder()
                      .setTopic(TOPIC)
                      .setTopicId(TOPIC_ID.toString())
                      .putConfigs("min.insync.replicas", Integer.toString(MIN_ISR))
                      .addPartitions(
                          PartitionState.newBuilder()
                              .setTopic(TOPIC)
                              .setPartition(p)
                              .setLeader(s.leader())
                              .setLeaderEpoch(s.leaderEpoch())
                              .setPartitionEpoch(s.partitionEpoch())
                              .addAllIsr(s.isr())
                              .addAllReplicas(assignment.get(p))));
      for (int l : ctrlLive) {
        req.addLiveLeaders(BrokerEndpoint.newBuilder().setId(l).setHost("sim").setPort(l));
      }
      LeaderAndIsrRequest built = req.build();
      int inc = to.incarnation;
      long epoch = to.brokerEpoch;
      String what = "LeaderAndIsr p" + p + " " + s + " -> broker " + to.id;
      network.add(
          new Msg(
              what,
              () -> {
                // A broker rejects LeaderAndIsr for another registration (broker epoch fencing).
                if (to.alive && to.incarnation == inc && to.brokerEpoch == epoch) {
                  to.rm.applyLeaderAndIsr(built);
                }
              },
              () -> {}));
    }

    CompletableFuture<AlterPartitionResponse> sendAlterPartition(
        Broker from, int inc, AlterPartitionRequest req) {
      CompletableFuture<AlterPartitionResponse> answer = new CompletableFuture<>();
      AlterPartitionItem item = req.getTopics(0).getPartitions(0);
      String what =
          "AlterPartition p"
              + item.getPartition()
              + " from broker "
              + from.id
              + " (leader epoch "
              + item.getLeaderEpoch()
              + ", partition epoch "
              + item.getPartitionEpoch()
              + ", ISR "
              + item.getNewIsrList()
              + ")";
      note("  " + from.id + " sends " + what);
      network.add(
          new Msg(
              what,
              () -> {
                AlterPartitionResponse resp = alterPartition(req);
                network.add(
                    new Msg(
                        "answer to " + what + ": " + summary(resp),
                        () -> answer.complete(resp),
                        () -> answer.completeExceptionally(new RuntimeException("timed out"))));
              },
              () -> answer.completeExceptionally(new RuntimeException("timed out"))));
      return answer;
    }

    String summary(AlterPartitionResponse resp) {
      if (resp.getError() != ErrorCode.NONE) {
        return resp.getError().toString();
      }
      AlterPartitionResult r = resp.getTopics(0).getPartitions(0);
      return r.getError()
          + " leader "
          + r.getLeader()
          + " epoch "
          + r.getLeaderEpoch()
          + " ISR "
          + r.getIsrList()
          + " pe "
          + r.getPartitionEpoch();
    }

    /** The controller's AlterPartition (as ActiveController.alterPartition). */
    AlterPartitionResponse alterPartition(AlterPartitionRequest req) {
      int sender = req.getBrokerId();
      Long epoch = registeredEpoch.get(sender);
      if (epoch == null || epoch != req.getBrokerEpoch()) {
        return AlterPartitionResponse.newBuilder()
            .setError(ErrorCode.STALE_BROKER_EPOCH)
            .setErrorMessage("stale broker epoch")
            .build();
      }
      AlterPartitionResponse.Builder resp = AlterPartitionResponse.newBuilder();
      for (AlterPartitionTopic t : req.getTopicsList()) {
        AlterPartitionTopicResult.Builder tr = AlterPartitionTopicResult.newBuilder();
        tr.setTopic(t.getTopic());
        for (AlterPartitionItem item : t.getPartitionsList()) {
          int p = item.getPartition();
          LeaderAndIsr cur = ctrlState.get(p);
          AlterPartitionValidation.Outcome o =
              AlterPartitionValidation.validate(
                  sender,
                  cur,
                  assignment.get(p),
                  item.getLeaderEpoch(),
                  item.getPartitionEpoch(),
                  item.getNewIsrList(),
                  ctrlLive,
                  shuttingDown,
                  controllerEpoch);
          if (o.write().isPresent()) {
            write(p, o.write().get(), "AlterPartition from broker " + sender);
          }
          LeaderAndIsr now = ctrlState.get(p);
          tr.addPartitions(
              AlterPartitionResult.newBuilder()
                  .setPartition(p)
                  .setError(o.error())
                  .setErrorMessage(o.message())
                  .setLeader(now.leader())
                  .setLeaderEpoch(now.leaderEpoch())
                  .addAllIsr(now.isr())
                  .setPartitionEpoch(now.partitionEpoch()));
        }
        resp.addTopics(tr);
      }
      return resp.build();
    }

    // ------------------------------------------------------------------ follower (fetcher)

    void fetchRound() {
      List<Broker> alive = brokers.values().stream().filter(b -> b.alive).toList();
      Broker b = alive.get(rnd.nextInt(alive.size()));
      if (b.fetching.isEmpty()) {
        note("fetch round on broker " + b.id + ": fetching nothing");
        return;
      }
      for (FetchState s : new ArrayList<>(b.fetching.values())) {
        if (b.fetching.get(s.partition.topicPartition().partition()) == s) {
          fetchRound(b, s);
        }
      }
    }

    void fetchRound(Broker b, FetchState s) {
      int p = s.partition.topicPartition().partition();
      if (s.inFlightToken >= 0) {
        if (time.milliseconds() - s.inFlightSinceMs < FETCH_TIMEOUT_MS) {
          note("fetch round on broker " + b.id + " p" + p + ": a request is in flight");
          return;
        }
        note("fetch round on broker " + b.id + " p" + p + ": request timed out, retrying");
        s.inFlightToken = -1;
      }
      Broker leader = brokers.get(s.leaderId);
      long token = nextToken++;
      Log log = s.partition.log();
      switch (s.phase) {
        case "TRUNCATING" -> {
          OptionalInt latest = log.latestEpoch();
          if (latest.isEmpty()) {
            guarded(b, s, () -> truncate(s, Math.min(log.highWatermark(), log.logEndOffset())));
            if (s.phase.equals("TRUNCATING")) {
              s.phase = "FETCHING";
            }
            note("broker " + b.id + " p" + p + " has no epoch: truncated to HW, fetching");
            return;
          }
          OffsetForLeaderEpochRequest req =
              OffsetForLeaderEpochRequest.newBuilder()
                  .setReplicaId(b.id)
                  .addPartitions(
                      EpochQuery.newBuilder()
                          .setTopic(TOPIC)
                          .setPartition(p)
                          .setCurrentLeaderEpoch(s.leaderEpoch)
                          .setLeaderEpoch(latest.getAsInt()))
                  .build();
          s.inFlightToken = token;
          s.inFlightSinceMs = time.milliseconds();
          String what =
              "OffsetForLeaderEpoch p"
                  + p
                  + " epoch "
                  + latest.getAsInt()
                  + " broker "
                  + b.id
                  + " -> "
                  + leader.id
                  + " (current "
                  + s.leaderEpoch
                  + ")";
          note("send " + what);
          int linc = leader.incarnation;
          network.add(
              new Msg(
                  what,
                  () -> {
                    if (!leader.alive || leader.incarnation != linc) {
                      return;
                    }
                    OffsetForLeaderEpochResponse resp = leader.rm.offsetForLeaderEpoch(req);
                    EpochEndOffset e = resp.getPartitions(0);
                    network.add(
                        new Msg(
                            "answer to "
                                + what
                                + ": "
                                + e.getError()
                                + " epoch "
                                + e.getLeaderEpoch()
                                + " end "
                                + e.getEndOffset(),
                            () -> onEpochAnswer(b, s, token, e),
                            () -> {}));
                  },
                  () -> {}));
        }
        case "FETCHING" -> {
          long leo = log.logEndOffset();
          int wait = rnd.nextBoolean() ? 0 : 500;
          ReplicaFetchRequest req =
              ReplicaFetchRequest.newBuilder()
                  .setReplicaId(b.id)
                  .setBrokerEpoch(b.brokerEpoch)
                  .setRequestId(token)
                  .setMaxWaitMs(wait)
                  .setMinBytes(1)
                  .setMaxBytes(rnd.nextBoolean() ? 300 : 1 << 20)
                  .addPositions(
                      ReplicaFetchPosition.newBuilder()
                          .setTopic(TOPIC)
                          .setPartition(p)
                          .setFetchOffset(leo)
                          .setLastFetchedEpoch(log.latestEpoch().orElse(-1))
                          .setCurrentLeaderEpoch(s.leaderEpoch)
                          .setLogStartOffset(log.logStartOffset())
                          .setPartitionMaxBytes(1 << 20))
                  .build();
          s.inFlightToken = token;
          s.inFlightSinceMs = time.milliseconds();
          String what =
              "fetch p"
                  + p
                  + " broker "
                  + b.id
                  + " -> "
                  + leader.id
                  + " at "
                  + leo
                  + " (last epoch "
                  + log.latestEpoch().orElse(-1)
                  + ", current "
                  + s.leaderEpoch
                  + ", wait "
                  + wait
                  + ")";
          note("send " + what);
          int linc = leader.incarnation;
          network.add(
              new Msg(
                  what,
                  () -> {
                    if (!leader.alive || leader.incarnation != linc) {
                      return;
                    }
                    leader
                        .rm
                        .fetchForFollower(req)
                        .whenComplete(
                            (resp, err) -> {
                              if (err != null) {
                                return;
                              }
                              ReplicaFetchData d = resp.getPartitions(0);
                              network.add(
                                  new Msg(
                                      "answer to "
                                          + what
                                          + ": "
                                          + d.getError()
                                          + " "
                                          + d.getRecords().size()
                                          + " bytes, HW "
                                          + d.getHighWatermark()
                                          + (d.getDivergingEpoch().getLeaderEpoch() >= 0
                                              ? ", diverging " + d.getDivergingEpoch()
                                              : ""),
                                      () -> onFetchAnswer(b, s, token, leo, d),
                                      () -> {}));
                            });
                  },
                  () -> {}));
        }
        default -> note("fetch round on broker " + b.id + " p" + p + ": " + s.phase);
      }
    }

    boolean current(Broker b, FetchState s, long token) {
      if (!b.alive) {
        return false;
      }
      FetchState now = b.fetching.get(s.partition.topicPartition().partition());
      if (now != s || s.inFlightToken != token) {
        return false;
      }
      s.inFlightToken = -1;
      return true;
    }

    void onEpochAnswer(Broker b, FetchState s, long token, EpochEndOffset e) {
      if (!current(b, s, token) || !s.phase.equals("TRUNCATING")) {
        return;
      }
      if (e.getError() != ErrorCode.NONE) {
        onPartitionError(s, e.getError());
        return;
      }
      guarded(
          b,
          s,
          () -> {
            if (truncateTowards(s, e.getLeaderEpoch(), e.getEndOffset())) {
              s.phase = "FETCHING";
            }
          });
    }

    void onFetchAnswer(Broker b, FetchState s, long token, long fetchOffset, ReplicaFetchData d) {
      if (!current(b, s, token)
          || !s.phase.equals("FETCHING")
          || s.partition.log().logEndOffset() != fetchOffset) {
        return;
      }
      guarded(
          b,
          s,
          () -> {
            switch (d.getError()) {
              case NONE -> {
                if (d.hasDivergingEpoch() && d.getDivergingEpoch().getLeaderEpoch() >= 0) {
                  EpochEndOffset de = d.getDivergingEpoch();
                  if (!truncateTowards(s, de.getLeaderEpoch(), de.getEndOffset())) {
                    s.phase = "TRUNCATING";
                  }
                  return;
                }
                if (!d.getRecords().isEmpty()) {
                  ByteBuffer records = d.getRecords().asReadOnlyByteBuffer();
                  s.partition.appendAsFollower(records, s.leaderEpoch);
                }
                s.partition.updateFollowerHighWatermark(d.getHighWatermark(), s.leaderEpoch);
              }
              case OFFSET_OUT_OF_RANGE -> {
                Log log = s.partition.log();
                if (d.getLogStartOffset() > log.logEndOffset()) {
                  s.partition.truncateFullyAndStartAt(d.getLogStartOffset(), s.leaderEpoch);
                } else {
                  s.phase = "TRUNCATING";
                }
              }
              default -> onPartitionError(s, d.getError());
            }
          });
    }

    void onPartitionError(FetchState s, ErrorCode error) {
      if (error == ErrorCode.FENCED_LEADER_EPOCH) {
        s.phase = "PAUSED";
      }
      // others: retried at the next fetch round (the backoff is the time between rounds)
    }

    /** As ReplicaFetcher.truncateTowards: {@link TruncationDecision} over both logs' epochs. */
    boolean truncateTowards(FetchState s, int leaderEpoch, long leaderEndOffset) {
      Log log = s.partition.log();
      int followerEpoch = -1;
      long followerEnd = -1;
      if (leaderEpoch >= 0 && leaderEndOffset >= 0) {
        OffsetAndEpoch own = log.endOffsetForEpoch(leaderEpoch);
        followerEpoch = own.epoch();
        followerEnd = own.offset();
      }
      TruncationDecision.Truncation t =
          TruncationDecision.decide(
              leaderEpoch,
              leaderEndOffset,
              followerEpoch,
              followerEnd,
              log.logEndOffset(),
              log.highWatermark());
      truncate(s, t.offset());
      return t.completed();
    }

    void truncate(FetchState s, long offset) {
      Log log = s.partition.log();
      long before = log.logEndOffset();
      // as ReplicaFetcher.truncate: always, so an empty epoch at the log end is dropped
      s.partition.truncateTo(Math.min(offset, before), s.leaderEpoch);
      if (offset >= before) {
        return;
      }
      count("truncations");
      note(
          "  broker "
              + brokerOf(s)
              + " truncated p"
              + s.partition.topicPartition().partition()
              + " from "
              + before
              + " to "
              + log.logEndOffset());
    }

    int brokerOf(FetchState s) {
      for (Broker b : brokers.values()) {
        if (b.alive && b.fetching.containsValue(s)) {
          return b.id;
        }
      }
      return -1;
    }

    /** As ReplicaFetcher.guarded: a step's failure becomes fetch state. */
    void guarded(Broker b, FetchState s, Runnable step) {
      try {
        step.run();
      } catch (ApiException e) {
        if (e.code() == ErrorCode.NOT_LEADER_OR_FOLLOWER) {
          b.fetching.remove(s.partition.topicPartition().partition(), s);
        } else {
          s.phase = "TRUNCATING";
        }
      } catch (LogStorageException e) {
        s.phase = "PAUSED";
      } catch (RuntimeException e) {
        note("  broker " + b.id + ": replicating failed: " + e);
        s.phase = "TRUNCATING";
      }
    }

    // ------------------------------------------------------------------ invariants

    /** The batches of {@code log} that end below {@code upTo}: base offset -> CRC. */
    TreeMap<Long, Long> batches(Log log, long upTo) {
      TreeMap<Long, Long> out = new TreeMap<>();
      long offset = log.logStartOffset();
      long end = Math.min(upTo, log.logEndOffset());
      while (offset < end) {
        FetchDataInfo data = log.read(offset, 1 << 20, Long.MAX_VALUE, true);
        ByteBuffer buf = data.records();
        if (!buf.hasRemaining()) {
          break;
        }
        int pos = buf.position();
        while (pos < buf.limit()) {
          int size = RecordBatch.sizeAt(buf, pos);
          RecordBatch batch = RecordBatch.wrap(buf.duplicate().position(pos).limit(pos + size));
          if (batch.lastOffset() >= end) {
            return out;
          }
          out.put(batch.baseOffset(), batch.checksum());
          offset = batch.nextOffset();
          pos += size;
        }
      }
      return out;
    }

    void check() {
      for (int p = 0; p < partitions; p++) {
        checkController(p);
        for (Broker b : brokers.values()) {
          Optional<Partition> op = b.partition(p);
          if (op.isEmpty()) {
            continue;
          }
          Partition part = op.get();
          String key = b.id + "/" + b.incarnation + "/p" + p;
          int epoch = part.leaderEpoch();
          Integer lastEpoch = lastLeaderEpoch.put(key, epoch);
          if (lastEpoch != null && epoch < lastEpoch) {
            throw new Violation(
                "leader epoch of p"
                    + p
                    + " on broker "
                    + b.id
                    + " went back "
                    + lastEpoch
                    + " -> "
                    + epoch);
          }
          if (part.isLeader()) {
            Integer other = leaderOfEpoch.putIfAbsent(p + "/" + epoch, b.id);
            if (other != null && other != b.id) {
              throw new Violation(
                  "brokers " + other + " and " + b.id + " both lead p" + p + " in epoch " + epoch);
            }
            String hwKey = key + "/e" + epoch;
            long hw = part.highWatermark();
            Long lastHw = lastLeaderHw.put(hwKey, hw);
            if (lastHw != null && hw < lastHw) {
              throw new Violation(
                  "HW of leader "
                      + b.id
                      + " of p"
                      + p
                      + " (epoch "
                      + epoch
                      + ") went back "
                      + lastHw
                      + " -> "
                      + hw);
            }
          }
        }
        checkData(p);
      }
    }

    void checkController(int p) {
      LeaderAndIsr s = ctrlState.get(p);
      Integer last = lastCtrlEpoch.put(p, s.leaderEpoch());
      if (last != null && s.leaderEpoch() < last) {
        throw new Violation("controller leader epoch of p" + p + " went back");
      }
      if (s.hasLeader() && !s.isr().contains(s.leader())) {
        throw new Violation("controller leader of p" + p + " is not in its ISR: " + s);
      }
      if (!assignment.get(p).containsAll(s.isr())) {
        throw new Violation("ISR of p" + p + " is not a subset of the replicas: " + s);
      }
    }

    /** The broker the controller names as leader, once it applied that state; else null. */
    Broker activeLeader(int p) {
      LeaderAndIsr s = ctrlState.get(p);
      if (!s.hasLeader()) {
        return null;
      }
      Broker b = brokers.get(s.leader());
      Optional<Partition> part = b.partition(p);
      if (part.isEmpty() || !part.get().isLeader() || part.get().leaderEpoch() != s.leaderEpoch()) {
        return null;
      }
      return b;
    }

    void checkData(int p) {
      Broker l = activeLeader(p);
      if (l == null) {
        return;
      }
      Log leaderLog = l.partition(p).get().log();
      long hw = leaderLog.highWatermark();
      TreeMap<Long, Long> all = batches(leaderLog, leaderLog.logEndOffset());
      TreeMap<Long, Long> below = batches(leaderLog, hw);
      TreeMap<Long, Long> com = committed.get(p);
      // What the leader has below its HW is committed: it must agree with what was committed.
      below.forEach(
          (base, crc) -> {
            Long was = com.putIfAbsent(base, crc);
            if (was != null && !was.equals(crc)) {
              throw new Violation(
                  "leader "
                      + l.id
                      + " of p"
                      + p
                      + " has a different batch at committed offset "
                      + base);
            }
          });
      com.forEach(
          (base, crc) -> {
            if (!crc.equals(all.get(base))) {
              throw new Violation(
                  "committed batch at "
                      + base
                      + " of p"
                      + p
                      + " is "
                      + (all.containsKey(base) ? "changed" : "missing")
                      + " on leader "
                      + l.id
                      + " (log end "
                      + leaderLog.logEndOffset()
                      + ", HW "
                      + hw
                      + ")");
            }
          });
      acked
          .get(p)
          .forEach(
              (base, crc) -> {
                if (!crc.equals(all.get(base))) {
                  throw new Violation(
                      "acknowledged acks=all batch at "
                          + base
                          + " of p"
                          + p
                          + " is "
                          + (all.containsKey(base) ? "changed" : "lost")
                          + " on leader "
                          + l.id
                          + " (log end "
                          + leaderLog.logEndOffset()
                          + ", HW "
                          + hw
                          + ")");
                }
              });
      // Kafka's guarantee: the prefix up to HW is the same on every ISR member.
      for (int m : ctrlState.get(p).isr()) {
        Broker mb = brokers.get(m);
        if (m == l.id || mb.partition(p).isEmpty()) {
          continue;
        }
        Log ml = mb.partition(p).get().log();
        // Every member of the committed ISR holds everything the leader counts as committed.
        if (ml.logEndOffset() < hw) {
          throw new Violation(
              "ISR member "
                  + m
                  + " of p"
                  + p
                  + " has log end "
                  + ml.logEndOffset()
                  + ", below the HW "
                  + hw
                  + " of leader "
                  + l.id);
        }
        long upTo = Math.min(hw, ml.logEndOffset());
        TreeMap<Long, Long> mine = batches(ml, upTo);
        TreeMap<Long, Long> theirs = batches(leaderLog, upTo);
        if (!mine.equals(theirs)) {
          throw new Violation(
              "ISR member "
                  + m
                  + " of p"
                  + p
                  + " differs from leader "
                  + l.id
                  + " below "
                  + upTo
                  + ": "
                  + mine
                  + " vs "
                  + theirs);
        }
      }
    }

    @Override
    public void close() {
      for (Broker b : brokers.values()) {
        if (b.alive) {
          try {
            b.crash();
          } catch (RuntimeException e) {
            // best effort
          }
        }
      }
    }
  }
}
