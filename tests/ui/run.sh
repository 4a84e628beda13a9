#!/usr/bin/env bash
# The web UI in headless Chromium (ui_test.mjs).
#   tests/ui/run.sh ZAMAN_BINARY [ARTIFACT_DIR]
# Installs the pinned driver and SDK (package-lock.json) on first use;
# screenshots of failed checks go to ARTIFACT_DIR (default build/ui-artifacts).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
zaman="$(realpath "$1")"
artifacts="${2:-$(dirname "$(dirname "$zaman")")/ui-artifacts}"
command -v chromium >/dev/null || { echo "ui test: no chromium (Debian package chromium; make deps installs it)" >&2; exit 1; }
cd "$here"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund --silent
fi
CHROMIUM="$(command -v chromium)" exec node ui_test.mjs "$zaman" "$artifacts"
