#!/usr/bin/env bash
# Brook in one command: builds what is missing, then starts ZooKeeper and one broker on 127.0.0.1
# (in one JVM), creates the topic quickstart-events, produces and consumes a few keyed records,
# prints commands to try, and keeps running until Ctrl-C. Flags: `brook-quickstart.sh --help`.
set -euo pipefail
bin=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
home=$(cd "$bin/.." && pwd)

# In a checkout (not in a distribution, which has libs/), build when a module's jar is missing
# from deploy/target/libs or older than the module's main sources or pom.
if [ ! -d "$home/libs" ] && [ -f "$home/pom.xml" ]; then
  reason=""
  for pom in "$home"/*/pom.xml; do
    module=$(basename "$(dirname "$pom")")
    [ -d "$home/$module/src/main" ] || continue
    jar=$(compgen -G "$home/deploy/target/libs/brook-$module-*.jar" | head -1 || true)
    if [ -z "$jar" ]; then
      reason="no build found"
    elif [ -n "$(find "$home/$module/src/main" "$pom" -newer "$jar" -print -quit)" ]; then
      reason="$module changed since the last build"
    fi
    [ -z "$reason" ] || break
  done
  if [ -n "$reason" ]; then
    echo "Building Brook ($reason): mvn -q -B -DskipTests package (a few minutes the first time)..." >&2
    (cd "$home" && mvn -q -B -DskipTests package)
  fi
fi
export BROOK_HEAP_OPTS=${BROOK_HEAP_OPTS:-"-Xmx512m"}
exec "$bin/brook-run-class.sh" io.brook.broker.tools.Quickstart "$@"
