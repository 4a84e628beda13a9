#!/usr/bin/env bash
# Runs one SDK or CLI suite against a live zaman.
#   run-sdk-test.sh SUITE ZAMAN_BINARY [STORE]
# SUITE: go | python | ts | java | cli | tls. Each suite's dependencies are pinned in
# its folder and installed here from their registries on first use.
# STORE: sqlite (default: `server start-dev` on a file), postgres or mariadb:
# `server start` on a new database of the throw-away server that the CTest
# fixture started (its env file under $ZAMAN_TEST_DB_DIR/STORE/env).
set -euo pipefail
suite="$1"
ZAMAN="$(realpath "$2")"
store="${3:-sqlite}"
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
if [ "$store" = sqlite ]; then
  start_zaman server start-dev --port "$port" --db-filename "$WORK/zaman.db" --namespace sdk-extra \
    --search-attribute DevFlagKeyword=Keyword --dynamic-config-value frontend.enableUpdateWorkflowExecution=true
else
  write_store_config "$store" "${suite}_$$" "$WORK/store.yaml"
  export ZAMAN_STORE_CONFIG="$WORK/store.yaml"
  { echo "frontend: {port: $port}"; cat "$WORK/store.yaml"
    echo "namespaces: [{name: default, retention: 24h}, {name: sdk-extra, retention: 24h}]"; } >"$WORK/zaman.yaml"
  "$ZAMAN" db setup --config "$WORK/zaman.yaml"
  start_zaman server start --config "$WORK/zaman.yaml"
  wait_for_port "$port"
  # What start-dev's --search-attribute registers, the way an operator would.
  bash "$here/cli/build.sh"
  for ns in default sdk-extra; do
    "$here/cli/bin/temporal" --address "$ZAMAN_ADDRESS" operator search-attribute create \
      --namespace "$ns" --name DevFlagKeyword --type Keyword >/dev/null
  done
fi
wait_for_port "$port"

rc=0
case "$suite" in
  go)
    (cd "$here/sdk/go" && go test -count=1 -v -timeout 600s ./...) || rc=$?
    if [ "$store" != sqlite ]; then
      # Last, as it restarts the database under everything connected to it.
      export ZAMAN_DB_RESTART="bash $here/db/throwaway.sh restart $store $ZAMAN_TEST_DB_DIR/$store"
      (cd "$here/sdk/go" && go test -tags dbfault -count=1 -v -timeout 600s -run TestDatabaseRestart ./...) || rc=$?
    fi
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
