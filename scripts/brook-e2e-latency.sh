#!/usr/bin/env bash
# End-to-end latency: BOOTSTRAP TOPIC NUM_MESSAGES ACKS RECORD_SIZE [WARMUP] (prints Kafka's EndToEndLatency lines, percentiles in microseconds).
# Flags: `brook-e2e-latency.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.EndToEndLatency "$@"
