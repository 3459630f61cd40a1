#!/usr/bin/env bash
# Sends one record per line of standard input (Kafka's kafka-console-producer.sh flags).
# Flags: `brook-console-producer.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.ConsoleProducer "$@"
