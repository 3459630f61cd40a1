#!/usr/bin/env bash
# Runs one Brook Java main with the project's jars and JVM options; every other script ends here.
#
#   brook-run-class.sh [-server] [-name NAME] [-daemon] CLASS [ARGS...]
#
#   -server   a long-running server: heap default -Xmx1g -Xms1g and the server log4j2 config
#   -name     the process's name: its rolling log is $BROOK_LOG_DIR/NAME.log (servers)
#   -daemon   run in the background (nohup), output to $BROOK_LOG_DIR/NAME.out (needs -name)
#
# Environment (as Kafka's KAFKA_* variables):
#   JAVA_HOME                   the JDK to use (else `java` on the PATH); Java 17 or newer
#   BROOK_HEAP_OPTS             heap flags (default -Xmx256m for tools, -Xmx1g -Xms1g with -server)
#   BROOK_JVM_PERFORMANCE_OPTS  GC and JIT flags (default: Kafka's)
#   BROOK_LOG4J_OPTS            log4j2 options (default: config/log4j2-tools.xml, WARN to stderr,
#                               or config/log4j2-server.xml, INFO, with -server)
#   BROOK_LOG_DIR               where servers also write a rolling NAME.log (and daemons NAME.out);
#                               default logs/ for daemons, none otherwise
#   BROOK_OPTS                  any other JVM options
#   BROOK_NETTY_LEAK_DETECTION  Netty's buffer leak detector level (default disabled: at its own
#                               default it records a stack trace for one buffer in 128, ~1 % CPU;
#                               simple / advanced / paranoid to hunt a leak)
#   BROOK_CLASSPATH             replaces the jar directory (for tests and development)
set -euo pipefail

bin=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
home=$(cd "$bin/.." && pwd)

server=0 daemon=0 name=""
while [ $# -gt 0 ]; do
  case "$1" in
    -server) server=1; shift ;;
    -daemon) daemon=1; shift ;;
    -name) name=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $(basename "$0") [-server] [-name NAME] [-daemon] CLASS [ARGS...]" >&2; exit 2; }

# A distribution has bin/, config/ and libs/; a checkout has scripts/, deploy/config/ and the
# jars that `mvn package` copies to deploy/target/libs/.
if [ -d "$home/libs" ]; then
  libs="$home/libs" config="$home/config"
else
  libs="$home/deploy/target/libs" config="$home/deploy/config"
fi
if [ -n "${BROOK_CLASSPATH:-}" ]; then
  classpath=$BROOK_CLASSPATH
elif compgen -G "$libs/*.jar" > /dev/null; then
  classpath="$libs/*"
else
  echo "error: no Brook jars in $libs; build them first: (cd $home && mvn -DskipTests package)" >&2
  exit 1
fi

if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
elif command -v java > /dev/null; then
  java=java
else
  echo "error: no Java found: set JAVA_HOME or put java (17 or newer) on the PATH" >&2
  exit 1
fi

if [ $server = 1 ]; then
  heap=${BROOK_HEAP_OPTS:-"-Xmx1g -Xms1g"}
  log4j=${BROOK_LOG4J_OPTS:-"-Dlog4j2.configurationFile=$config/log4j2-server.xml"}
else
  heap=${BROOK_HEAP_OPTS:-"-Xmx256m"}
  log4j=${BROOK_LOG4J_OPTS:-"-Dlog4j2.configurationFile=$config/log4j2-tools.xml"}
fi
perf=${BROOK_JVM_PERFORMANCE_OPTS:-"-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"}
logdir=${BROOK_LOG_DIR:-}
[ $daemon = 1 ] && logdir=${logdir:-"$home/logs"}

# Word splitting of the option variables is intended (they hold several flags).
# shellcheck disable=SC2206
cmd=("$java" $heap $perf $log4j ${BROOK_OPTS:-}
  -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager
  "-Dio.grpc.netty.shaded.io.netty.leakDetection.level=${BROOK_NETTY_LEAK_DETECTION:-disabled}"
  "-Dbrook.home=$home" "-Dbrook.bin=$bin" ${logdir:+"-Dbrook.logs.dir=$logdir"}
  ${name:+"-Dbrook.log.name=$name"}
  -cp "$classpath" "$@")

if [ $daemon = 1 ]; then
  [ -n "$name" ] || { echo "error: -daemon needs -name NAME" >&2; exit 2; }
  mkdir -p "$logdir"
  nohup "${cmd[@]}" > "$logdir/$name.out" 2>&1 < /dev/null &
  echo "started $name (pid $!), output in $logdir/$name.out"
else
  exec "${cmd[@]}"
fi
