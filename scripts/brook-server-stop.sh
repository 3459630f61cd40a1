#!/usr/bin/env bash
# Sends SIGTERM (a clean shutdown) to the Brook brokers of this user, like kafka-server-stop.sh.
#
#   brook-server-stop.sh [CONFIG]
#
# With CONFIG, only the brokers started with that config path (as given to brook-server-start.sh).
# Exits 1 when no broker was found.
set -euo pipefail
main=io.brook.broker.server.BrokerMain
config=${1:-}
pids=$(ps -u "$(id -u)" -o pid=,args= |
  awk -v main="$main" -v config="$config" \
    '$2 ~ /(^|\/)java$/ && index($0, " " main) && (config == "" || index($0, " " config)) {print $1}')
if [ -z "$pids" ]; then
  echo "No Brook broker to stop${config:+ (config $config)}" >&2
  exit 1
fi
# shellcheck disable=SC2086
kill -s TERM $pids
echo "Sent SIGTERM to broker pid(s):" $pids
