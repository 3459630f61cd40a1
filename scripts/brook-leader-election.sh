#!/usr/bin/env bash
# Elect preferred (or, unclean, any live) replicas as leaders of partitions
# (Kafka's kafka-leader-election.sh flags and output).
# Flags: `brook-leader-election.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.LeaderElectionCommand "$@"
