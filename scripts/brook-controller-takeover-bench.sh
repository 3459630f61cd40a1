#!/usr/bin/env bash
# How long a new controller takes to take over a cluster of N partitions (docs/scale.md).
#
#   brook-controller-takeover-bench.sh --dir DIR [--topics 100] [--partitions 100]
#       [--replication-factor 3] [--data-brokers 3] [--controllers 2] [--rounds 3]
#       [--broker-heap "-Xmx1g -Xms1g"] [--alternate-classpath CP] [--keep]
#
# Starts ZooKeeper and the brokers in DIR (each its own JVM, through brook-server-start.sh), writes
# the topics straight into ZooKeeper, waits until the data brokers host every partition, then kills
# the active controller (SIGKILL) --rounds times and prints one line per takeover (detect, load,
# elect, send, acknowledged, total in ms) and a line of medians. Stops the cluster and deletes DIR
# at the end unless --keep. All flags: --help.
set -euo pipefail
export BROOK_HEAP_OPTS=${BROOK_BENCH_HEAP_OPTS:-"-Xmx256m"}
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.broker.tools.ControllerTakeoverBench "$@"
