#!/usr/bin/env bash
# Producer throughput and latency (Kafka's kafka-producer-perf-test.sh flags and summary line).
# Flags: `brook-producer-perf-test.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ProducerPerformance "$@"
