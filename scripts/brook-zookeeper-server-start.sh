#!/usr/bin/env bash
# Starts Apache ZooKeeper (the real server from the zookeeper jar) in the foreground, like
# Kafka's zookeeper-server-start.sh. A CONFIG without server.N lines runs a standalone server.
#
#   brook-zookeeper-server-start.sh [-daemon] CONFIG
#
# CONFIG: see config/zookeeper.properties. -daemon: in the background, output in
# $BROOK_LOG_DIR/zookeeper.out (default logs/). Heap default -Xmx512m -Xms512m (BROOK_HEAP_OPTS).
set -euo pipefail
bin=$(dirname "${BASH_SOURCE[0]}")
if [ $# -lt 1 ]; then
  echo "usage: $(basename "$0") [-daemon] CONFIG" >&2
  exit 1
fi
daemon=()
if [ "$1" = -daemon ]; then daemon=(-daemon); shift; fi
export BROOK_HEAP_OPTS=${BROOK_HEAP_OPTS:-"-Xmx512m -Xms512m"}
exec "$bin/brook-run-class.sh" -server -name zookeeper ${daemon[@]+"${daemon[@]}"} org.apache.zookeeper.server.quorum.QuorumPeerMain "$@"
