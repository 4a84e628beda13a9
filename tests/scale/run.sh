#!/usr/bin/env bash
# Scale across a restart: the Go SDK test tests/sdk/go/scale_restart_test.go
# (build tag `scale`) starts its own zaman on SQLite from ZAMAN_BINARY.
#   run.sh ZAMAN_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export ZAMAN_BINARY="$(realpath "$1")"
cd "$here/../sdk/go"
go test -tags scale -count=1 -v -timeout 1500s -run 'TestScale' ./...
