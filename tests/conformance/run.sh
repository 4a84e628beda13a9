#!/usr/bin/env bash
# make conformance: the Go, Python, TypeScript and Java scenarios on zaman
# and on the reference Temporal dev server (the pinned `temporal` CLI's),
# histories compared.
#   tests/conformance/run.sh ZAMAN_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
ZAMAN="$(realpath "$1")"
WORK="$(mktemp -d)"
source "$here/lib.sh"
REF_PID=""
trap 'stop_zaman || true; [ -z "$REF_PID" ] || { kill "$REF_PID" 2>/dev/null; wait "$REF_PID" 2>/dev/null; } || true; rm -rf "$WORK"' EXIT

bash "$here/cli/build.sh"
port=$(free_port)
start_zaman server start-dev --port "$port" --db-filename "$WORK/zaman.db"
ref_port=$(free_port)
"$here/cli/bin/temporal" server start-dev --headless --ip 127.0.0.1 --port "$ref_port" \
  --http-port "$(free_port)" --metrics-port "$(free_port)" --ui-port "$(free_port)" \
  --db-filename "$WORK/reference.db" --log-level error >"$WORK/reference.log" 2>&1 &
REF_PID=$!
wait_for_port "$port"
for _ in $(seq 1 100); do  # the reference takes a few seconds to come up
  "$here/cli/bin/temporal" --address "127.0.0.1:$ref_port" operator namespace describe --namespace default \
    >/dev/null 2>&1 && break
  sleep 0.2
done

export ZAMAN_ADDRESS="127.0.0.1:$port" ZAMAN_REFERENCE_ADDRESS="127.0.0.1:$ref_port"
(cd "$here/sdk/go" &&
  go test -tags conformance -count=1 -v -run 'TestConformance|TestScheduleDescribeConformance' -timeout 900s . 2>&1 | tee "$WORK/conformance.log" |
  grep -E '^(=== conformance|identical|DIFFERENT| |scenarios:|go:|--- FAIL|FAIL|ok)')
bash "$here/sdk/python/setup.sh"
(cd "$here/sdk/python" && .venv/bin/python conformance.py)
(cd "$here/sdk/ts" && { [ -d node_modules ] || npm ci --no-audit --no-fund --silent; } && node conformance.mjs)
(cd "$here/sdk/java" && mvn -B -q -ntp -Dstyle.color=never -Dtest=ConformanceRun -Dsurefire.failIfNoSpecifiedTests=false test |
  grep -E '^(=== conformance|identical|DIFFERENT|FAILED| |scenarios:|java:)')
