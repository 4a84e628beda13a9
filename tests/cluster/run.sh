#!/usr/bin/env bash
# A cluster on loopback: separate `zaman server start --services ...`
# processes sharing one throw-away database, and the Go SDK's cluster
# scenarios (tests/sdk/go/cluster_test.go, build tag `cluster`) against it.
#   run.sh ZAMAN_BINARY postgres|mariadb [short|soak]
# The topology: 2 frontends, 3 history hosts, 2 matching hosts, 1 worker-role
# host. The Go test drives faults through $ZAMAN_CLUSTER_CTL (this file's
# `ctl` half): kill -9, start, graceful restart of a named host.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-}" = ctl ]; then
  # ctl kill|start|restart|stop NAME — on the cluster in $ZAMAN_CLUSTER_DIR.
  action="$2" name="$3" dir="${ZAMAN_CLUSTER_DIR:?}"
  start_host() {
    "$(cat "$dir/binary")" server start --config "$dir/$name.yaml" --services "$(cat "$dir/$name.services")" \
      >>"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
  }
  stop_host() {  # SIGTERM and wait: a graceful leave
    local pid; pid="$(cat "$dir/$name.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    echo "$name did not stop within 30 s" >&2
    return 1
  }
  case "$action" in
    kill) kill -9 "$(cat "$dir/$name.pid")"; sleep 0.2 ;;
    start) start_host ;;
    stop) stop_host ;;
    restart) stop_host; start_host ;;
    *) echo "ctl: unknown action $action" >&2; exit 2 ;;
  esac
  exit 0
fi

ZAMAN="$(realpath "$1")"
store="$2"
mode="${3:-short}"
source "$here/../lib.sh"
WORK="$(mktemp -d)"
export ZAMAN_CLUSTER_DIR="$WORK"
echo "$ZAMAN" >"$WORK/binary"

stop_all() {
  for pidfile in "$WORK"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  for pidfile in "$WORK"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
}
keep_logs() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    for log in "$WORK"/*.log; do echo "===== $(basename "$log")"; tail -n 60 "$log"; done >&2
  fi
  stop_all
  # ZAMAN_CLUSTER_KEEP=1 keeps every host's config and log.
  if [ -n "${ZAMAN_CLUSTER_KEEP:-}" ]; then echo "cluster logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap keep_logs EXIT

write_store_config "$store" "cluster_$$" "$WORK/store.yaml"

# host NAME SERVICES — its config (each role on a free port of its own).
frontends=()
host() {
  local name="$1" services="$2" fport
  fport=$(free_port)
  {
    echo "frontend: {port: $fport}"
    echo "history: {port: $(free_port)}"
    # A buffer of 2: most waiting tasks go through the store, and a killed
    # matching host's backlog is read by the next owner.
    echo "matching: {port: $(free_port), backlog_buffer: 2}"
    echo "worker: {port: $(free_port)}"
    echo "log: {level: info}"
    echo "cluster: {num_shards: 8}"
    # Faster than the defaults so that a killed host's keys move within
    # the test's patience; docs/cluster.md explains the trade.
    echo "membership: {heartbeat_interval: 1s, ttl: 4s}"
    grep -v '^history:\|^matching:\|^worker:' "$WORK/store.yaml"
  } >"$WORK/$name.yaml"
  echo "$services" >"$WORK/$name.services"
  if [[ "$services" == *frontend* ]]; then frontends+=("127.0.0.1:$fport"); fi
}

host frontend-1 frontend
host frontend-2 frontend
host history-1 history
host history-2 history
host history-3 history
host history-4 history  # joins during the test
host matching-1 matching
host matching-2 matching
host worker-1 worker

"$ZAMAN" db setup --config "$WORK/frontend-1.yaml"
for name in history-1 history-2 history-3 matching-1 matching-2 worker-1 frontend-1 frontend-2; do
  bash "$here/run.sh" ctl start "$name"
done
for address in "${frontends[@]}"; do wait_for_port "${address##*:}"; done

export ZAMAN_CLUSTER_CTL="bash $here/run.sh ctl"
export ZAMAN_CLUSTER_FRONTENDS="${frontends[0]},${frontends[1]}"
export ZAMAN_CLUSTER_MODE="$mode"
(cd "$here/../sdk/go" && go test -tags cluster -count=1 -v -timeout 1200s -run 'TestCluster' ./...)
