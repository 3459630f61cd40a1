#!/usr/bin/env bash
# Starts Apache ZooKeeper (the real server from the zookeeper jar, QuorumPeerMain) in the
# foreground, like Kafka's zookeeper-server-start.sh. SIGTERM stops it.
#
#   brook-zookeeper-server-start.sh [-daemon] CONFIG
#
# CONFIG: ZooKeeper's zoo.cfg format (see config/zookeeper.properties).
#   - Without server.N lines: a standalone server.
#   - With server.N=host:quorumPort:electionPort lines: a member of an ensemble. Its number N is
#     read from dataDir/myid (one line, the number). When that file is missing and
#     BROOK_ZOOKEEPER_MYID is set, it is written first; otherwise the script stops with an error
#     (ZooKeeper itself would only say "myid file is missing"). See config/zookeeper-ensemble/.
# -daemon: in the background (nohup), output in $BROOK_LOG_DIR/NAME.out (default logs/), NAME
# being zookeeper (standalone) or zookeeper-N (ensemble member N, so that several members can
# share a log directory). Heap default -Xmx512m -Xms512m (BROOK_HEAP_OPTS); other JVM options:
# see brook-run-class.sh.
set -euo pipefail
bin=$(dirname "${BASH_SOURCE[0]}")
usage() {
  echo "usage: $(basename "$0") [-daemon] CONFIG" >&2
  exit 1
}
[ $# -ge 1 ] || usage
daemon=()
if [ "$1" = -daemon ]; then daemon=(-daemon); shift; fi
[ $# -ge 1 ] || usage
config=$1
if [ ! -r "$config" ]; then
  echo "error: cannot read ZooKeeper config $config" >&2
  exit 1
fi

# The value of KEY in the config (last one wins, as in java.util.Properties); empty when absent.
prop() {
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$config" | tail -n 1 | sed 's/[[:space:]]*$//'
}

name=zookeeper
if grep -Eq '^[[:space:]]*server\.[0-9]+[[:space:]]*=' "$config"; then
  datadir=$(prop dataDir)
  if [ -z "$datadir" ]; then
    echo "error: $config has server.N lines but no dataDir (where the myid file lives)" >&2
    exit 1
  fi
  myid_file="$datadir/myid"
  if [ ! -s "$myid_file" ]; then
    if [ -n "${BROOK_ZOOKEEPER_MYID:-}" ]; then
      mkdir -p "$datadir"
      echo "$BROOK_ZOOKEEPER_MYID" > "$myid_file"
      echo "wrote $myid_file: $BROOK_ZOOKEEPER_MYID" >&2
    else
      echo "error: $config defines an ensemble (server.N lines) but $myid_file is missing." >&2
      echo "       Write this server's number N (its server.N line) into it, e.g.:" >&2
      echo "       mkdir -p $datadir && echo 1 > $myid_file   (or set BROOK_ZOOKEEPER_MYID=1)" >&2
      exit 1
    fi
  fi
  myid=$(tr -d '[:space:]' < "$myid_file")
  if ! grep -Eq "^[[:space:]]*server\.$myid[[:space:]]*=" "$config"; then
    echo "error: $myid_file says $myid but $config has no server.$myid line" >&2
    exit 1
  fi
  name="zookeeper-$myid"
fi

export BROOK_HEAP_OPTS=${BROOK_HEAP_OPTS:-"-Xmx512m -Xms512m"}
exec "$bin/brook-run-class.sh" -server -name "$name" ${daemon[@]+"${daemon[@]}"} org.apache.zookeeper.server.quorum.QuorumPeerMain "$config"
