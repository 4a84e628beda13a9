#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool into bench/temporal-server/bin,
# from the release the pinned CLI embeds (tests/cli/go.mod), through the Go module
# proxy: go.temporal.io/server/cmd/server and .../cmd/tools/sql, the `tool`s of
# this module. Prints the release's schema/postgresql/v12 directory (module cache).
set -euo pipefail
cd "$(dirname "$0")"
want=$(awk '$1 == "go.temporal.io/server" { print $2 }' ../../tests/cli/go.mod)
have=$(go list -m -f '{{.Version}}' go.temporal.io/server)
if [ "$want" != "$have" ]; then
  echo "bench/temporal-server/go.mod has go.temporal.io/server $have, tests/cli/go.mod $want;" \
       "run: go get -tool go.temporal.io/server/cmd/server@$want go.temporal.io/server/cmd/tools/sql@$want" >&2
  exit 1
fi
stamp=bin/.go.sum
if ! { [ -x bin/temporal-server ] && [ -x bin/temporal-sql-tool ] && [ -f "$stamp" ] && cmp -s go.sum "$stamp"; }; then
  mkdir -p bin
  go build -o bin/temporal-server go.temporal.io/server/cmd/server
  go build -o bin/temporal-sql-tool go.temporal.io/server/cmd/tools/sql
  cp go.sum "$stamp"
fi
echo "$(go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql/v12"
