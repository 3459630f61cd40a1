#!/usr/bin/env bash
# Restarts brokers one at a time, safely: before each restart no partition may be
# under-replicated; after it, the tool waits until the broker is registered again and every
# partition is back in sync, runs a preferred leader election and waits until leadership is back
# on the preferred replicas. One progress line per step, with the elapsed time.
#
#   brook-rolling-restart.sh --bootstrap-server B --restart-command 'CMD {id}'
#       [--brokers 1,2,3] [--timeout-ms 300000] [--poll-ms 1000] [--command-config F]
#
# CMD runs through sh -c with {id} replaced by the broker id and must return once that broker was
# stopped (SIGTERM: controlled shutdown) and started again, e.g.
#   --restart-command 'ssh host{id}.example.com sudo systemctl restart brook-broker'
#   --restart-command 'local/brook-local-cluster.sh --dir /tmp/brook-local restart-broker {id}'
# Exits 1 when a command fails or a wait times out (the cluster is left as it is, never with two
# brokers down). JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.RollingRestartCommand "$@"
