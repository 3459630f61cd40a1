#!/usr/bin/env bash
# Print the batches and records of segment files, and index and leader-epoch files (Kafka's
# kafka-dump-log.sh flags and output). Flags: `brook-dump-log.sh --help`. JVM options: see
# brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.broker.tools.DumpLogSegments "$@"
