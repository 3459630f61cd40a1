#!/usr/bin/env bash
# Starts a Brook broker in the foreground (like kafka-server-start.sh); Ctrl-C or SIGTERM stops
# it cleanly.
#
#   brook-server-start.sh [-daemon] CONFIG [--override key=value ...]
#
# CONFIG is a properties file with Kafka's names (see config/server.properties). -daemon runs the
# broker in the background with output in $BROOK_LOG_DIR/brookServer.out (default logs/);
# with BROOK_LOG_DIR (or -daemon) the broker also writes a rolling brookServer.log there.
# Heap default -Xmx1g -Xms1g (BROOK_HEAP_OPTS); other JVM options: see brook-run-class.sh.
set -euo pipefail
bin=$(dirname "${BASH_SOURCE[0]}")
if [ $# -lt 1 ]; then
  echo "usage: $(basename "$0") [-daemon] CONFIG [--override key=value ...]" >&2
  exit 1
fi
daemon=()
if [ "$1" = -daemon ]; then daemon=(-daemon); shift; fi
exec "$bin/brook-run-class.sh" -server -name brookServer ${daemon[@]+"${daemon[@]}"} io.brook.broker.server.BrokerMain "$@"
