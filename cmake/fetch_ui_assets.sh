#!/usr/bin/env bash
# Fetches the Temporal Web UI's built app from the pinned Go module
# github.com/temporalio/ui-server/v2 (it ships the app under ui/assets/local),
# checks the module zip against its go.sum hash (h1:…), and unpacks the app.
#
# usage: fetch_ui_assets.sh VERSION H1_HASH OUT_DIR
#   OUT_DIR/assets — the app (index.html, _app/…)
#   OUT_DIR/stamp  — written last; holds VERSION H1_HASH
set -euo pipefail

version="$1"
want="$2"
out="$3"
module="github.com/temporalio/ui-server/v2"

if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$version $want" && -f "$out/assets/index.html" ]]; then
  exit 0
fi

work="$out/download"
rm -rf "$out/assets" "$out/stamp" "$work"
mkdir -p "$work"
zip="$work/module.zip"

# Go's module cache may hold the zip already (the reference CLI's build puts
# it there); the hash check below makes either source as good as the other.
cached=""
if command -v go >/dev/null; then
  cached="$(go env GOMODCACHE 2>/dev/null)/cache/download/$module/@v/$version.zip"
fi
if [[ -n "$cached" && -f "$cached" ]]; then
  cp "$cached" "$zip"
else
  proxy="${GOPROXY:-https://proxy.golang.org}"
  proxy="${proxy%%,*}"
  [[ "$proxy" == direct || "$proxy" == off ]] && proxy=https://proxy.golang.org
  if ! curl -fsSL --retry 3 -o "$zip" "$proxy/$module/@v/$version.zip"; then
    echo "fetch_ui_assets: cannot download $module@$version from $proxy" >&2
    exit 1
  fi
fi

# Go's dirhash "h1": SHA-256 over the sorted lines "<sha256 of file>  <name>\n"
# of every file in the zip.
got=$(python3 - "$zip" <<'PY'
import base64, hashlib, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = sorted(n for n in z.namelist() if not n.endswith("/"))
    summary = "".join("%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n) for n in names)
print("h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode())
PY
)
if [[ "$got" != "$want" ]]; then
  echo "fetch_ui_assets: checksum mismatch for $module@$version: got $got, want $want" >&2
  exit 1
fi

prefix="$module@$version/ui/assets/local"
(cd "$work" && unzip -q "$zip" "$prefix/*")
mv "$work/$prefix" "$out/assets"
rm -rf "$work"
echo "$version $want" > "$out/stamp"
