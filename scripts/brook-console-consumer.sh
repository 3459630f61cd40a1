#!/usr/bin/env bash
# Prints records of a topic to standard output (Kafka's kafka-console-consumer.sh flags).
# Flags: `brook-console-consumer.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ConsoleConsumer "$@"
