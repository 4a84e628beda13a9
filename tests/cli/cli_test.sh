#!/usr/bin/env bash
# The official `temporal` CLI against a live zaman: operator namespace
# create / describe / list / update, cluster describe, and workflow start /
# describe / signal / show / terminate.
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

wf="cli-wf-$$"
wf_start()      { t workflow start --type CliWorkflow --task-queue cli-queue --workflow-id "$wf" --input '"hi"' && shows "$wf"; }
wf_running()    { t workflow describe --workflow-id "$wf" --output json && shows WORKFLOW_EXECUTION_STATUS_RUNNING; }
wf_signal()     { t workflow signal --workflow-id "$wf" --name poke --input '{"n":1}'; }
wf_show()       { t workflow show --workflow-id "$wf" && shows WorkflowExecutionStarted && shows WorkflowExecutionSignaled; }
wf_terminate()  { t workflow terminate --workflow-id "$wf" --reason "done by CLI"; }
wf_terminated() { t workflow describe --workflow-id "$wf" --output json && shows WORKFLOW_EXECUTION_STATUS_TERMINATED; }
wf_history()    { t workflow show --workflow-id "$wf" --output json && shows '"done by CLI"'; }
wf_dup()        { ! t workflow start --type CliWorkflow --task-queue cli-queue --workflow-id "$wf" --id-reuse-policy RejectDuplicate --fail-existing && shows 'already'; }
wf_unknown()    { ! t workflow describe --workflow-id no-such-wf && shows 'not found'; }

check "workflow start" wf_start
check "workflow describe shows it running" wf_running
check "workflow signal" wf_signal
check "workflow show lists started and signaled events" wf_show
check "workflow terminate" wf_terminate
check "workflow describe shows it terminated" wf_terminated
check "workflow show --output json has the reason" wf_history
check "reject-duplicate start of a closed id fails" wf_dup
check "describe of an unknown workflow fails with not found" wf_unknown

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
