#!/usr/bin/env bash
# Builds and runs the JMH micro-benchmarks of a module (proto, broker-node, client-sdk; default: all
# three, one after the other), printing JMH's result table. Benchmarks live in src/jmh/java of the
# module they measure and are compiled only by the Maven profile `jmh` (never by the default build
# or the tests).
#
#   brook-jmh.sh [MODULE] [JMH ARGS...]
#
#   brook-jmh.sh                                  every benchmark, the defaults in their annotations
#                                                 (1 fork, 3 x 2 s warm-up, 5 x 2 s measurement)
#   brook-jmh.sh proto -prof gc                   one module, with allocation per operation
#   brook-jmh.sh broker-node LogBenchmark.read -p logMiB=256
#   brook-jmh.sh client-sdk -h                    JMH's own options
#
# Environment: JAVA_HOME (else `java` on the PATH), MVN (default `mvn`), BROOK_JMH_MVN_OPTS (default
# `-o`: offline), BROOK_JMH_SKIP_BUILD=1 to run what was built last time.
set -euo pipefail

home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
all=(proto broker-node client-sdk)

modules=("${all[@]}")
if [ $# -gt 0 ]; then
  for m in "${all[@]}"; do
    if [ "$1" = "$m" ]; then
      modules=("$m")
      shift
      break
    fi
  done
fi

if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
else
  java=java
fi

if [ "${BROOK_JMH_SKIP_BUILD:-0}" != 1 ]; then
  list=$(IFS=,; echo "${modules[*]}")
  # shellcheck disable=SC2086
  (cd "$home" && "${MVN:-mvn}" -B -q ${BROOK_JMH_MVN_OPTS--o} -Pjmh -DskipTests package -pl "$list" -am)
fi

status=0
for m in "${modules[@]}"; do
  target="$home/$m/target"
  if [ ! -f "$target/jmh.classpath" ] || [ ! -f "$target/jmh-classes/META-INF/BenchmarkList" ]; then
    echo "error: no benchmarks built in $target (build with: mvn -Pjmh -DskipTests package -pl $m -am)" >&2
    exit 1
  fi
  echo "== $m"
  "$java" -Xmx256m -cp "$target/jmh-classes:$target/classes:$(cat "$target/jmh.classpath")" \
    org.openjdk.jmh.Main "$@" || status=$?
done
exit $status
