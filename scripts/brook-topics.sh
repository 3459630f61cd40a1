#!/usr/bin/env bash
# Create, list, describe and delete topics (Kafka's kafka-topics.sh flags and output).
# Flags: `brook-topics.sh --help`. JVM options: see brook-run-class.sh.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/brook-run-class.sh" io.brook.client.tools.TopicCommand "$@"
