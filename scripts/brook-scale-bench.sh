#!/usr/bin/env bash
# Scale figures of a local three-broker cluster (docs/performance.md, "Scale"):
#
#   brook-scale-bench.sh partitions [--counts 1,6,60,600] [--records N] [--acks all]
#       producer throughput (1 KiB records, linger.ms=5, batch.size=131072) into a topic of each
#       partition count (RF 3, min.insync.replicas=2)
#   brook-scale-bench.sh catchup [--gib 5]
#       writes GIB GiB into a 6-partition topic (acks=1), then one consumer reads it all from the
#       beginning (consumer perf test, in a group): the catch-up rate
#
# Every run starts a fresh cluster in a temporary directory (scripts/brook-dev-cluster.sh, brokers
# with BROOK_HEAP_OPTS, default -Xmx1g -Xms1g, and the same JVM flags as the benchmark), and prints,
# after each step, the brokers' peak RSS (VmHWM) and the largest heap use sampled once a second.
# Ports: ZooKeeper 22181, brokers 29092-29094 (override with SCALE_ZK_PORT / SCALE_BASE_PORT).
# Everything it starts is stopped, and its data removed, on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODE=${1:-}
shift || true
COUNTS=1,6,60,600
RECORDS=500000
ACKS=all
GIB=5
while [ $# -gt 0 ]; do
  case $1 in
    --counts) COUNTS=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --acks) ACKS=$2; shift 2 ;;
    --gib) GIB=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case $MODE in
  partitions|catchup) ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

ZK_PORT=${SCALE_ZK_PORT:-22181}
BASE_PORT=${SCALE_BASE_PORT:-29092}
BS="127.0.0.1:$BASE_PORT,127.0.0.1:$((BASE_PORT + 1)),127.0.0.1:$((BASE_PORT + 2))"
DIR=$(mktemp -d /tmp/brook-scale-XXXXXX)
SAMPLER=
export BROOK_HEAP_OPTS=${BROOK_HEAP_OPTS:-"-Xmx1g -Xms1g"}
TOOL_HEAP=${TOOL_HEAP:-"-Xmx512m"}

cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  "$HERE/brook-dev-cluster.sh" stop --dir "$DIR/cluster" > /dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

broker_pids() { cat "$DIR"/cluster/broker-*.pid; }

# Samples every broker's heap use (jstat: survivors + eden + old, KiB) once a second.
start_sampler() {
  : > "$DIR/heap.samples"
  (
    while true; do
      for p in $(broker_pids); do
        jstat -gc "$p" 2> /dev/null | awk -v p="$p" 'NR == 2 { print p, $3 + $4 + $6 + $8 }'
      done >> "$DIR/heap.samples"
      sleep 1
    done
  ) &
  SAMPLER=$!
}

resources() {
  local rss heap
  rss=$(for p in $(broker_pids); do awk '/VmHWM/ { printf "%d ", $2 / 1024 }' "/proc/$p/status"; done)
  heap=$(awk '{ if ($2 > m[$1]) m[$1] = $2 } END { for (p in m) printf "%d ", m[p] / 1024 }' \
    "$DIR/heap.samples")
  echo "  brokers: peak RSS MiB: ${rss}| largest heap in use MiB: ${heap}"
}

topic() { # NAME PARTITIONS
  "$HERE/brook-topics.sh" --bootstrap-server "$BS" --create --topic "$1" --partitions "$2" \
    --replication-factor 3 --config min.insync.replicas=2 > /dev/null
}

log "starting ZooKeeper and 3 brokers in $DIR/cluster"
"$HERE/brook-dev-cluster.sh" start --brokers 3 --dir "$DIR/cluster" --zookeeper-port "$ZK_PORT" \
  --base-port "$BASE_PORT" > "$DIR/cluster.log" 2>&1 \
  || { cat "$DIR/cluster.log" >&2; exit 1; }
start_sampler
echo "# $(nproc) cores, $(java -version 2>&1 | head -1), brokers $BROOK_HEAP_OPTS, load $(cut -d' ' -f1-3 /proc/loadavg)"

# Warms the brokers' JIT (as the benchmark's warm-up does) so the first step is not penalised.
topic warmup 6
BROOK_HEAP_OPTS=$TOOL_HEAP "$HERE/brook-producer-perf-test.sh" --topic warmup --num-records 200000 \
  --record-size 1024 --throughput -1 \
  --producer-props bootstrap.servers="$BS" acks=all linger.ms=5 batch.size=131072 > /dev/null

if [ "$MODE" = partitions ]; then
  IFS=, read -r -a counts <<< "$COUNTS"
  for n in "${counts[@]}"; do
    topic "scale-$n" "$n"
    log "producing $RECORDS x 1 KiB, acks=$ACKS, into $n partitions"
    line=$(BROOK_HEAP_OPTS=$TOOL_HEAP "$HERE/brook-producer-perf-test.sh" --topic "scale-$n" \
      --num-records "$RECORDS" --record-size 1024 --throughput -1 \
      --producer-props bootstrap.servers="$BS" acks="$ACKS" linger.ms=5 batch.size=131072 | tail -1)
    echo "partitions=$n acks=$ACKS: $line"
    resources
  done
else
  records=$((GIB * 1024 * 1024))
  topic catchup 6
  log "writing $GIB GiB ($records x 1 KiB, acks=1)"
  line=$(BROOK_HEAP_OPTS=$TOOL_HEAP "$HERE/brook-producer-perf-test.sh" --topic catchup \
    --num-records "$records" --record-size 1024 --throughput -1 \
    --producer-props bootstrap.servers="$BS" acks=1 linger.ms=5 batch.size=131072 | tail -1)
  echo "backlog written: $line"
  resources
  log "reading it back from the beginning"
  line=$(BROOK_HEAP_OPTS=$TOOL_HEAP "$HERE/brook-consumer-perf-test.sh" --bootstrap-server "$BS" \
    --topic catchup --messages "$records" --group "catchup-$$" --timeout 60000 | tail -1)
  echo "catch-up (start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.ms, fetch.ms, fetch.MB.sec, fetch.nMsg.sec): $line"
  resources
fi
