#!/usr/bin/env bash
# A REAL three-node ZooKeeper ensemble and three brokers on one machine, from the distribution
# (the tarball's bin/, config/ and libs/): each member its own JVM, own ports, own data directory.
# For trying the production layout locally, and for tests that kill and restart single members.
#
#   brook-local-cluster.sh --dir DIR init [--home BROOK_HOME | --tarball brook-V.tgz]
#                                         [--base-port P] [--broker-property k=v ...]
#   brook-local-cluster.sh --dir DIR start          (init first when DIR is not initialised)
#   brook-local-cluster.sh --dir DIR stop           (brokers, then ZooKeeper: SIGTERM, wait)
#   brook-local-cluster.sh --dir DIR status
#   brook-local-cluster.sh --dir DIR start-zk N | stop-zk N | kill-zk N
#   brook-local-cluster.sh --dir DIR start-broker N | stop-broker N | kill-broker N
#   brook-local-cluster.sh --dir DIR restart-broker N     (stop-broker N, then start-broker N)
#   brook-local-cluster.sh --dir DIR bootstrap            (prints bootstrap.servers)
#   brook-local-cluster.sh --dir DIR zk-connect           (prints zookeeper.connect)
# Options may come before or after the command.
#
# Which distribution: --home (an unpacked brook-VERSION directory), --tarball (unpacked into
# DIR/dist), else the distribution this script sits in (brook-VERSION/local/..), or in a checkout
# (deploy/local/) the newest deploy/target/brook-*.tgz. Remembered in DIR/cluster.env with the
# ports, so later commands need only --dir.
#
# Ports, from --base-port P (default 23000): ZooKeeper N client P+N, quorum P+10+N, leader
# election P+20+N; broker N P+30+N. All on 127.0.0.1. Each broker's metrics.port is OS-chosen
# (its broker.out says "Metrics served on http://...").
#
# Layout of DIR: zk-N/{zookeeper.properties, data/myid, zk.pid, zk.out},
# broker-N/{server.properties, data/, broker.pid, broker.out}.
#
# stop-* send SIGTERM (a broker then does its controlled shutdown) and wait up to
# BROOK_LOCAL_STOP_TIMEOUT seconds (default 60) before SIGKILL; kill-* send SIGKILL. Every process
# is found by its pid file, and the pid is checked to still be the member's JVM (its command line
# names the member's config) before any signal.
#
# Heaps: BROOK_LOCAL_ZK_HEAP_OPTS (default -Xmx256m -Xms32m), BROOK_LOCAL_BROKER_HEAP_OPTS
# (default -Xmx384m -Xms64m). BROOK_JVM_PERFORMANCE_OPTS and JAVA_HOME apply to every JVM.
# BROOK_LOCAL_START_TIMEOUT (seconds, default 90): how long start-* wait for readiness.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=$(basename "$0")
stop_timeout=${BROOK_LOCAL_STOP_TIMEOUT:-60}
start_timeout=${BROOK_LOCAL_START_TIMEOUT:-90}
zk_heap=${BROOK_LOCAL_ZK_HEAP_OPTS:-"-Xmx256m -Xms32m"}
broker_heap=${BROOK_LOCAL_BROKER_HEAP_OPTS:-"-Xmx384m -Xms64m"}
members=(1 2 3)

die() {
  echo "$prog: error: $*" >&2
  exit 1
}
say() { echo "[$(date -u +%H:%M:%S)] $*"; }

dir="" home="" tarball="" base_port="" broker_props=() words=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --home) home=$2; shift 2 ;;
    --tarball) tarball=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    --broker-property) broker_props+=("$2"); shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    -*) die "unknown option $1 (try --help)" ;;
    *) words+=("$1"); shift ;;
  esac
done
[ ${#words[@]} -ge 1 ] || die "no command (try --help)"
[ -n "$dir" ] || die "--dir DIR is required"
cmd=${words[0]}
set -- "${words[@]:1}"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# ---------------------------------------------------------------- state

load_env() {
  [ -f "$dir/cluster.env" ] || die "$dir is not initialised (run: $prog --dir $dir init ...)"
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
}

zk_client_port() { echo $((BASE_PORT + $1)); }
zk_quorum_port() { echo $((BASE_PORT + 10 + $1)); }
zk_election_port() { echo $((BASE_PORT + 20 + $1)); }
broker_port() { echo $((BASE_PORT + 30 + $1)); }
zk_connect() {
  local s="" n
  for n in "${members[@]}"; do s="${s:+$s,}127.0.0.1:$(zk_client_port "$n")"; done
  echo "$s"
}
bootstrap() {
  local s="" n
  for n in "${members[@]}"; do s="${s:+$s,}127.0.0.1:$(broker_port "$n")"; done
  echo "$s"
}

init() {
  if [ -f "$dir/cluster.env" ]; then
    say "$dir is already initialised (cluster.env); keeping it"
    return
  fi
  if [ -n "$tarball" ]; then
    [ -f "$tarball" ] || die "no tarball $tarball"
    mkdir -p "$dir/dist"
    tar -xzf "$tarball" -C "$dir/dist"
    home=$(find "$dir/dist" -mindepth 1 -maxdepth 1 -type d -name 'brook-*' | head -1)
    [ -n "$home" ] || die "$tarball holds no brook-VERSION directory"
    say "unpacked $tarball into $home"
  elif [ -z "$home" ]; then
    home=$(cd "$here/.." && pwd)
    # In a checkout (deploy/local/), use the tarball `mvn package` built in deploy/target.
    if [ ! -d "$home/libs" ] && compgen -G "$home/target/brook-*.tgz" > /dev/null; then
      tarball=$(ls -t "$home"/target/brook-*.tgz | head -1)
      init
      return
    fi
  fi
  home=$(cd "$home" && pwd)
  [ -x "$home/bin/brook-server-start.sh" ] && [ -d "$home/libs" ] ||
    die "$home is not a Brook distribution (no bin/brook-server-start.sh and libs/)"
  BASE_PORT=${base_port:-23000}
  BROOK_HOME=$home
  printf 'BROOK_HOME=%q\nBASE_PORT=%q\n' "$BROOK_HOME" "$BASE_PORT" > "$dir/cluster.env"

  local n m
  for n in "${members[@]}"; do
    mkdir -p "$dir/zk-$n/data"
    echo "$n" > "$dir/zk-$n/data/myid"
    {
      echo "# ZooKeeper ensemble member $n of a local test cluster (written by $prog)."
      echo "dataDir=$dir/zk-$n/data"
      echo "clientPort=$(zk_client_port "$n")"
      echo "clientPortAddress=127.0.0.1"
      echo "tickTime=1000"
      echo "initLimit=10"
      echo "syncLimit=5"
      echo "maxClientCnxns=0"
      echo "admin.enableServer=false"
      echo "4lw.commands.whitelist=ruok,srvr,stat,mntr"
      echo "autopurge.purgeInterval=0"
      for m in "${members[@]}"; do
        echo "server.$m=127.0.0.1:$(zk_quorum_port "$m"):$(zk_election_port "$m")"
      done
    } > "$dir/zk-$n/zookeeper.properties"

    mkdir -p "$dir/broker-$n/data"
    {
      echo "# Broker $n of a local test cluster (written by $prog)."
      echo "broker.id=$n"
      echo "listeners=PLAINTEXT://127.0.0.1:$(broker_port "$n")"
      echo "log.dirs=$dir/broker-$n/data"
      echo "zookeeper.connect=$(zk_connect)"
      echo "default.replication.factor=3"
      echo "min.insync.replicas=2"
      echo "offsets.topic.replication.factor=3"
      echo "group.initial.rebalance.delay.ms=0"
      echo "# Prometheus /metrics and /health on a free port, logged as \"Metrics served on ...\""
      echo "metrics.port=0"
      local kv
      for kv in ${broker_props[@]+"${broker_props[@]}"}; do echo "$kv"; done
    } > "$dir/broker-$n/server.properties"
  done
  say "initialised $dir: ZooKeeper $(zk_connect), brokers $(bootstrap), distribution $BROOK_HOME"
}

# ---------------------------------------------------------------- processes

# The pid in FILE when that process is alive and its command line names CONFIG; else nothing.
live_pid() {
  local file=$1 config=$2 pid
  [ -f "$file" ] || return 0
  pid=$(tr -d '[:space:]' < "$file")
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2> /dev/null && ps -o args= -p "$pid" | grep -qF -- "$config"; then
    echo "$pid"
  fi
}

# Waits until PID is gone, at most SECONDS; returns 1 when it is still alive.
wait_gone() {
  local pid=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2> /dev/null || return 0
    sleep 0.1
  done
  ! kill -0 "$pid" 2> /dev/null
}

# stop_member WHAT PIDFILE CONFIG SIGNAL
stop_member() {
  local what=$1 pidfile=$2 config=$3 signal=$4 pid t0
  pid=$(live_pid "$pidfile" "$config")
  if [ -z "$pid" ]; then
    say "$what is not running"
    rm -f "$pidfile"
    return 0
  fi
  t0=$SECONDS
  if [ "$signal" = KILL ]; then
    kill -KILL "$pid" 2> /dev/null || true
    wait_gone "$pid" 30 || die "$what (pid $pid) still alive 30 s after SIGKILL"
    say "$what killed (SIGKILL, pid $pid)"
  else
    kill -TERM "$pid" 2> /dev/null || true
    if ! wait_gone "$pid" "$stop_timeout"; then
      echo "$prog: $what (pid $pid) did not stop within $stop_timeout s of SIGTERM; SIGKILL" >&2
      kill -KILL "$pid" 2> /dev/null || true
      wait_gone "$pid" 30 || die "$what (pid $pid) still alive after SIGKILL"
    fi
    say "$what stopped (SIGTERM, pid $pid, $((SECONDS - t0)) s)"
  fi
  rm -f "$pidfile"
}

# start_member WHAT PIDFILE CONFIG OUTFILE HEAP COMMAND...: starts COMMAND in the background
# (the start scripts exec java, so $! is the JVM's pid) and writes the pid file.
start_member() {
  local what=$1 pidfile=$2 config=$3 out=$4 heap=$5 pid
  shift 5
  pid=$(live_pid "$pidfile" "$config")
  if [ -n "$pid" ]; then
    say "$what is already running (pid $pid)"
    return 0
  fi
  echo "==== $what starting at $(date -u +%FT%TZ)" >> "$out"
  BROOK_HEAP_OPTS=$heap nohup "$@" >> "$out" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  say "$what starting (pid $!), output in $out"
}

# Sends a four-letter word to 127.0.0.1:PORT; prints the answer (empty when it does not answer).
four_letter() {
  local port=$1 word=$2
  (
    exec 3<> "/dev/tcp/127.0.0.1/$port" || exit 0
    printf '%s' "$word" >&3
    timeout 2 cat <&3 || true
  ) 2> /dev/null || true
}

zk_mode() {
  four_letter "$(zk_client_port "$1")" srvr | sed -n 's/^Mode: //p'
}

# The current line count of FILE (0 when missing): where a new start's output begins.
line_count() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

launch_zk() {
  local n=$1 d="$dir/zk-$1"
  [ -d "$d" ] || die "no ZooKeeper member $n in $dir"
  line_count "$d/zk.out" > "$d/zk.out.from"
  start_member "zookeeper-$n" "$d/zk.pid" "$d/zookeeper.properties" "$d/zk.out" "$zk_heap" \
    "$BROOK_HOME/bin/brook-zookeeper-server-start.sh" "$d/zookeeper.properties" || true
}

# Waits until member N serves clients (a member serves only once it is part of a quorum).
await_zk() {
  local n=$1 d="$dir/zk-$1" deadline=$((SECONDS + start_timeout)) pid mode from
  pid=$(cat "$d/zk.pid")
  from=$(cat "$d/zk.out.from" 2> /dev/null || echo 0)
  while :; do
    kill -0 "$pid" 2> /dev/null ||
      die "zookeeper-$n (pid $pid) exited; its output: $(tail -n +$((from + 1)) "$d/zk.out" | tail -20)"
    mode=$(zk_mode "$n")
    if [ -n "$mode" ]; then
      say "zookeeper-$n serving on port $(zk_client_port "$n") as $mode"
      return 0
    fi
    [ $SECONDS -lt $deadline ] || die "zookeeper-$n not serving within $start_timeout s (a quorum needs 2 of 3 members)"
    sleep 0.2
  done
}

start_zk() {
  launch_zk "$1"
  await_zk "$1"
}

launch_broker() {
  local n=$1 d="$dir/broker-$1"
  [ -d "$d" ] || die "no broker $n in $dir"
  line_count "$d/broker.out" > "$d/broker.out.from"
  start_member "broker-$n" "$d/broker.pid" "$d/server.properties" "$d/broker.out" "$broker_heap" \
    "$BROOK_HOME/bin/brook-server-start.sh" "$d/server.properties" || true
}

# Waits until broker N logged "Broker N started" (registered in ZooKeeper, serving) since its
# last launch.
await_broker() {
  local n=$1 d="$dir/broker-$1" deadline=$((SECONDS + start_timeout)) pid from
  pid=$(cat "$d/broker.pid")
  from=$(cat "$d/broker.out.from" 2> /dev/null || echo 0)
  while :; do
    kill -0 "$pid" 2> /dev/null ||
      die "broker-$n (pid $pid) exited; its output: $(tail -n +$((from + 1)) "$d/broker.out" | tail -20)"
    if tail -n +$((from + 1)) "$d/broker.out" | grep -q "Broker $n started"; then
      say "broker-$n started on port $(broker_port "$n")"
      return 0
    fi
    [ $SECONDS -lt $deadline ] || die "broker-$n did not start within $start_timeout s"
    sleep 0.2
  done
}

start_broker() {
  launch_broker "$1"
  await_broker "$1"
}

stop_zk() { stop_member "zookeeper-$1" "$dir/zk-$1/zk.pid" "$dir/zk-$1/zookeeper.properties" "$2"; }
stop_broker() { stop_member "broker-$1" "$dir/broker-$1/broker.pid" "$dir/broker-$1/server.properties" "$2"; }

check_member() {
  case "$1" in 1|2|3) ;; *) die "member number must be 1, 2 or 3 (got '${1:-}')" ;; esac
}

status() {
  local n pid mode
  echo "distribution: $BROOK_HOME"
  echo "zookeeper.connect=$(zk_connect)"
  echo "bootstrap.servers=$(bootstrap)"
  for n in "${members[@]}"; do
    pid=$(live_pid "$dir/zk-$n/zk.pid" "$dir/zk-$n/zookeeper.properties")
    if [ -n "$pid" ]; then
      mode=$(zk_mode "$n")
      echo "zookeeper-$n: running (pid $pid), port $(zk_client_port "$n"), mode ${mode:-not serving}"
    else
      echo "zookeeper-$n: stopped, port $(zk_client_port "$n")"
    fi
  done
  for n in "${members[@]}"; do
    pid=$(live_pid "$dir/broker-$n/broker.pid" "$dir/broker-$n/server.properties")
    if [ -n "$pid" ]; then
      echo "broker-$n: running (pid $pid), port $(broker_port "$n")"
    else
      echo "broker-$n: stopped, port $(broker_port "$n")"
    fi
  done
}

# ---------------------------------------------------------------- commands

case "$cmd" in
  init) init ;;
  start)
    [ -f "$dir/cluster.env" ] || init
    load_env
    # The members of an ensemble wait for each other: start all three, then wait for each.
    for n in "${members[@]}"; do launch_zk "$n"; done
    for n in "${members[@]}"; do await_zk "$n"; done
    for n in "${members[@]}"; do launch_broker "$n"; done
    for n in "${members[@]}"; do await_broker "$n"; done
    say "cluster running: bootstrap.servers=$(bootstrap) zookeeper.connect=$(zk_connect)"
    ;;
  stop)
    load_env
    # Brokers one after the other (each moves its leaderships to the others first), then the
    # ensemble members together.
    for n in "${members[@]}"; do stop_broker "$n" TERM; done
    for n in "${members[@]}"; do stop_zk "$n" TERM & done
    wait
    say "cluster stopped"
    ;;
  status) load_env; status ;;
  bootstrap) load_env; bootstrap ;;
  zk-connect) load_env; zk_connect ;;
  start-zk) check_member "${1:-}"; load_env; start_zk "$1" ;;
  stop-zk) check_member "${1:-}"; load_env; stop_zk "$1" TERM ;;
  kill-zk) check_member "${1:-}"; load_env; stop_zk "$1" KILL ;;
  start-broker) check_member "${1:-}"; load_env; start_broker "$1" ;;
  stop-broker) check_member "${1:-}"; load_env; stop_broker "$1" TERM ;;
  kill-broker) check_member "${1:-}"; load_env; stop_broker "$1" KILL ;;
  restart-broker)
    check_member "${1:-}"; load_env
    stop_broker "$1" TERM
    start_broker "$1"
    ;;
  *) die "unknown command '$cmd' (try --help)" ;;
esac
