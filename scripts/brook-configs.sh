#!/usr/bin/env bash
# Describe and change topic and dynamic broker configs, applied without a restart
# (Kafka's kafka-configs.sh flags and output, for topics and brokers).
# Flags: `brook-configs.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ConfigCommand "$@"
