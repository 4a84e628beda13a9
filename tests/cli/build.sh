#!/usr/bin/env bash
# Builds the pinned official `temporal` CLI (see go.mod) into tests/cli/bin.
# Built from this module rather than `go install`, because the CLI's own
# module is pinned here with everything it needs. The same binary is the
# reference Temporal dev server for differential tests.
set -euo pipefail
cd "$(dirname "$0")"
stamp=bin/.go.sum
if [ -x bin/temporal ] && [ -f "$stamp" ] && cmp -s go.sum "$stamp"; then exit 0; fi
mkdir -p bin
version=$(awk '$1 == "github.com/temporalio/cli" { print $2 }' go.mod | head -n 1)
go build -o bin/temporal \
  -ldflags "-X github.com/temporalio/cli/temporalcli.Version=${version#v}" \
  github.com/temporalio/cli/cmd/temporal
cp go.sum "$stamp"
