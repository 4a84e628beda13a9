#!/usr/bin/env bash
# Creates .venv with the pinned Python SDK, once (again when requirements change).
set -euo pipefail
cd "$(dirname "$0")"
stamp=.venv/.requirements
if [ -f "$stamp" ] && cmp -s requirements.txt "$stamp"; then exit 0; fi
rm -rf .venv
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
cp requirements.txt "$stamp"
