#!/usr/bin/env bash
# Move partitions between brokers: --generate a balanced (rack-aware) plan, --execute it (with an
# optional --throttle), --verify its progress (removes the throttle once done), --cancel, --list
# (Kafka's kafka-reassign-partitions.sh flags, JSON and output).
# Flags: `brook-reassign-partitions.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ReassignPartitionsCommand "$@"
