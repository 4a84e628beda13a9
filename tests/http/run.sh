#!/usr/bin/env bash
# Temporal's HTTP API on zaman, and the same calls on the reference dev
# server (the pinned `temporal` CLI, tests/cli/build.sh), compared.
#   tests/http/run.sh ZAMAN_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/cli/build.sh"
exec python3 "$here/http/http_api_test.py" "$1" "$here/cli/bin/temporal"
