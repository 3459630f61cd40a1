#!/usr/bin/env bash
# Sends SIGTERM to the ZooKeeper servers of this user that brook-zookeeper-server-start.sh started,
# like Kafka's zookeeper-server-stop.sh.
#
#   brook-zookeeper-server-stop.sh [CONFIG]
#
# With CONFIG, only the servers started with that config path. Exits 1 when none was found.
set -euo pipefail
main=org.apache.zookeeper.server.quorum.QuorumPeerMain
config=${1:-}
pids=$(ps -u "$(id -u)" -o pid=,args= |
  awk -v main="$main" -v config="$config" \
    '$2 ~ /(^|\/)java$/ && index($0, " " main) && (config == "" || index($0, " " config)) {print $1}')
if [ -z "$pids" ]; then
  echo "No ZooKeeper server to stop${config:+ (config $config)}" >&2
  exit 1
fi
# shellcheck disable=SC2086
kill -s TERM $pids
echo "Sent SIGTERM to ZooKeeper pid(s):" $pids
