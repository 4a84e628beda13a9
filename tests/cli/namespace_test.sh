#!/usr/bin/env bash
# The official `temporal` CLI against a live zaman: operator namespace
# create / describe / list / update, and cluster describe.
# Needs $TEMPORAL (the CLI) and $ZAMAN_ADDRESS.
set -uo pipefail
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ns="cli-ns-$$"

# t ARGS... — runs the CLI against zaman; its output lands in $out.
t() { "$TEMPORAL" --address "$ZAMAN_ADDRESS" "$@" >"$out" 2>&1; }
shows() { grep -qi -- "$1" "$out"; }

check() {
  local name="$1"; shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$out"
  fi
}

create()          { t operator namespace create --namespace "$ns" --retention 48h --description "made by the CLI"; }
describe_new()    { t operator namespace describe --namespace "$ns" && shows "$ns" && shows "made by the CLI"; }
describe_default(){ t operator namespace describe --namespace default && shows default; }
retention_json()  { t operator namespace describe --namespace "$ns" --output json && shows '172800s'; }
list_both()       { t operator namespace list && shows "$ns" && shows default; }
update()          { t operator namespace update --namespace "$ns" --description "changed by the CLI"; }
update_visible()  { t operator namespace describe --namespace "$ns" && shows "changed by the CLI"; }
create_again()    { ! t operator namespace create --namespace "$ns" && shows 'already exists'; }
unknown()         { ! t operator namespace describe --namespace no-such-ns && shows 'not found'; }
cluster()         { t operator cluster describe && shows active; }

check "namespace create" create
check "namespace describe shows it" describe_new
check "namespace describe default" describe_default
check "namespace describe --output json has the retention" retention_json
check "namespace list shows both" list_both
check "namespace update" update
check "update is visible" update_visible
check "creating it again fails" create_again
check "unknown namespace fails with not found" unknown
check "cluster describe" cluster

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
