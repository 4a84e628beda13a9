#!/usr/bin/env bash
# Fetches the Temporal API .proto files from a pinned npm package, verifies the
# package against its pinned integrity hash, and writes a copy in which the two
# packages whose C++ namespaces would be keywords are renamed.
#
# usage: fetch_api_protos.sh PACKAGE@VERSION INTEGRITY OUT_DIR
#   OUT_DIR/protos  — the renamed copy protoc compiles
#   OUT_DIR/stamp   — written last; holds PACKAGE@VERSION INTEGRITY
set -euo pipefail

spec="$1"
integrity="$2"
out="$3"
subdir="package/sdk-core/crates/protos/protos/api_upstream"

if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$spec $integrity" ]]; then
  exit 0
fi

work="$out/download"
rm -rf "$out/protos" "$out/stamp" "$work"
mkdir -p "$work"

# npm keeps its own cache, so a second clean build does not download again.
tarball=$(cd "$work" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)
if [[ -z "$tarball" || ! -f "$work/$tarball" ]]; then
  echo "fetch_api_protos: npm pack $spec failed" >&2
  exit 1
fi

algo="${integrity%%-*}"
want="${integrity#*-}"
got=$(openssl dgst "-$algo" -binary "$work/$tarball" | base64 -w0)
if [[ "$got" != "$want" ]]; then
  echo "fetch_api_protos: integrity mismatch for $spec: got $algo-$got, want $integrity" >&2
  exit 1
fi

tar -xzf "$work/$tarball" -C "$work" \
  "$subdir/temporal" "$subdir/google/api" "$subdir/nexusannotations"

mkdir -p "$out/protos"
cp -r "$work/$subdir/temporal" "$work/$subdir/google" "$work/$subdir/nexusannotations" "$out/protos/"

# protobuf 3.21 maps proto packages straight to C++ namespaces; `namespace` and
# `export` are keywords. Rename the two packages (and every reference to them).
# File paths stay as they are, and gRPC method paths do not involve them.
find "$out/protos" -name '*.proto' -print0 | xargs -0 sed -i \
  -e 's/\btemporal\.api\.namespace\.v1\b/temporal.api.namespace_.v1/g' \
  -e 's/\btemporal\.api\.export\.v1\b/temporal.api.export_.v1/g'

rm -rf "$work"
echo "$spec $integrity" > "$out/stamp"
