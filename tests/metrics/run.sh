#!/usr/bin/env bash
# Zaman's metrics on a real Prometheus:
#   tests/metrics/run.sh ZAMAN_BINARY
# Starts `zaman server start-dev --metrics-port` and a throw-away Prometheus
# (Debian's package; `make test` installs it) on free loopback ports, with
# deploy/prometheus's config and alert rules; checks the rules and the
# exposition with promtool; then runs the Go SDK's metrics tests
# (tests/sdk/go/metrics_test.go): counters move as a user expects, and every
# dashboard, alert and applicable Temporal dashboard query returns data.
set -euo pipefail
ZAMAN="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
deploy="$here/../../deploy"
WORK="$(mktemp -d)"
PROM_PID=""
source "$here/../lib.sh"
cleanup() {
  stop_zaman || true
  if [ -n "$PROM_PID" ]; then kill "$PROM_PID" 2>/dev/null || true; wait "$PROM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in prometheus promtool; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install prometheus (make test does)" >&2; exit 1; }
done

promtool check rules "$deploy/prometheus/alerts.yml"

port=$(free_port)
metrics_port=$(free_port)
prom_port=$(free_port)
start_zaman server start-dev --port "$port" --metrics-port "$metrics_port" --db-filename "$WORK/zaman.db"
wait_for_port "$port"
wait_for_port "$metrics_port"

# The exposition parses; promtool's naming lint disagrees with Temporal's
# names (no _total on counters) by design, so only parse errors count.
curl -fsS "http://127.0.0.1:$metrics_port/metrics" >"$WORK/metrics.txt"
lint_rc=0
promtool check metrics <"$WORK/metrics.txt" >"$WORK/lint.txt" 2>&1 || lint_rc=$?
if grep -qiE 'error while linting|parsing error|parse error' "$WORK/lint.txt"; then
  echo "promtool check metrics cannot parse the exposition:" >&2
  cat "$WORK/lint.txt" >&2
  exit 1
fi
echo "promtool check metrics: parsed (exit $lint_rc; naming lint: $(wc -l <"$WORK/lint.txt") remarks)"

# The shipped config, pointed at this zaman, scraping every second.
sed -e "s/127.0.0.1:8000/127.0.0.1:$metrics_port/" \
    -e "s/scrape_interval: 15s/scrape_interval: 1s/" \
    -e "s/evaluation_interval: 15s/evaluation_interval: 1s/" \
    "$deploy/prometheus/prometheus.yml" >"$WORK/prometheus.yml"
cp "$deploy/prometheus/alerts.yml" "$WORK/alerts.yml"
promtool check config "$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
wait_for_port "$prom_port"

export ZAMAN_ADDRESS="127.0.0.1:$port"
export ZAMAN_METRICS_URL="http://127.0.0.1:$metrics_port/metrics"
export ZAMAN_PROMETHEUS_URL="http://127.0.0.1:$prom_port"
rc=0
(cd "$here/../sdk/go" && go test -tags metrics -count=1 -v -timeout 300s -run 'TestMetrics' ./...) || rc=$?
if [ "$rc" != 0 ]; then
  echo "--- zaman log" >&2; tail -50 "$WORK/zaman.log" >&2
  echo "--- prometheus log" >&2; tail -20 "$WORK/prometheus.log" >&2
  echo "--- scrapes" >&2
  curl -s "$ZAMAN_PROMETHEUS_URL/api/v1/query?query=up" >&2; echo >&2
  curl -s "$ZAMAN_PROMETHEUS_URL/api/v1/query?query=scrape_duration_seconds" >&2; echo >&2
  curl -s "$ZAMAN_PROMETHEUS_URL/api/v1/targets" >&2; echo >&2
fi
stop_zaman
exit $rc
