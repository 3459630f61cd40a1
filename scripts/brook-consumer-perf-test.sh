#!/usr/bin/env bash
# Consumer throughput (Kafka's kafka-consumer-perf-test.sh flags and CSV result line).
# Flags: `brook-consumer-perf-test.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ConsumerPerformance "$@"
