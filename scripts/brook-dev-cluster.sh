#!/usr/bin/env bash
# A local development cluster: ZooKeeper and N brokers, each its own JVM, on 127.0.0.1.
#
#   brook-dev-cluster.sh start --brokers N --dir DIR --zookeeper-port P --base-port P
#   brook-dev-cluster.sh stop --dir DIR
#   brook-dev-cluster.sh status --dir DIR
#
# `start` writes DIR/zookeeper.properties and DIR/broker-<id>.properties (ids 1..N, client ports
# P, P+1, ...), starts the members that are not running, waits until every broker is registered
# and a controller is active, and prints "bootstrap.servers=...". Pid files: DIR/zookeeper.pid,
# DIR/broker-<id>.pid; member output: DIR/zookeeper.log, DIR/broker-<id>.log. All flags:
# `brook-dev-cluster.sh --help`.
#
# BROOK_HEAP_OPTS and BROOK_JVM_PERFORMANCE_OPTS apply to the brokers (heap default
# -Xmx1g -Xms1g); ZooKeeper's heap is BROOK_ZOOKEEPER_HEAP_OPTS (default -Xmx512m -Xms512m).
set -euo pipefail
# BROOK_HEAP_OPTS is meant for the brokers; this launcher itself needs little.
export BROOK_DEV_CLUSTER_BROKER_HEAP_OPTS=${BROOK_HEAP_OPTS:-}
export BROOK_HEAP_OPTS="-Xmx128m"
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.broker.tools.DevCluster "$@"
