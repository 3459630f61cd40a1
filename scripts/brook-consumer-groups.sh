#!/usr/bin/env bash
# List, describe and delete consumer groups; reset or delete their committed offsets
# (Kafka's kafka-consumer-groups.sh flags and output).
# Flags: `brook-consumer-groups.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ConsumerGroupCommand "$@"
