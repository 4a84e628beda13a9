#!/usr/bin/env bash
# Runs one SDK or CLI suite against a live zaman.
#   run-sdk-test.sh SUITE ZAMAN_BINARY
# SUITE: go | python | ts | java | cli | tls. Each suite's dependencies are pinned in
# its folder and installed here from their registries on first use.
set -euo pipefail
suite="$1"
ZAMAN="$(realpath "$2")"
here="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
source "$here/lib.sh"
trap 'stop_zaman || true; rm -rf "$WORK"' EXIT

if [ "$suite" = tls ]; then
  exec_rc=0
  ZAMAN="$ZAMAN" WORK="$WORK" bash "$here/tls/run.sh" || exec_rc=$?
  exit $exec_rc
fi

port=$(free_port)
export ZAMAN_ADDRESS="127.0.0.1:$port"
export ZAMAN_BINARY="$ZAMAN"
start_zaman server start-dev --port "$port" --db-filename "$WORK/zaman.db" --namespace sdk-extra \
  --search-attribute DevFlagKeyword=Keyword --dynamic-config-value frontend.enableUpdateWorkflowExecution=true
wait_for_port "$port"

rc=0
case "$suite" in
  go)
    (cd "$here/sdk/go" && go test -count=1 -v -timeout 600s ./...) || rc=$?
    ;;
  python)
    bash "$here/sdk/python/setup.sh"
    (cd "$here/sdk/python" && .venv/bin/python -m pytest -q) || rc=$?
    ;;
  ts)
    (cd "$here/sdk/ts" && { [ -d node_modules ] || npm ci --no-audit --no-fund --silent; } && node --test) || rc=$?
    ;;
  java)
    (cd "$here/sdk/java" && mvn -B -ntp -Dstyle.color=never test) || rc=$?
    ;;
  cli)
    bash "$here/cli/build.sh"
    TEMPORAL="$here/cli/bin/temporal" bash "$here/cli/cli_test.sh" || rc=$?
    ;;
  *)
    echo "unknown suite $suite" >&2
    exit 2
    ;;
esac

stop_zaman || rc=1
exit $rc
