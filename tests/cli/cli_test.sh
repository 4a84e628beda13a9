#!/usr/bin/env bash
# The official `temporal` CLI against a live zaman: operator namespace
# create / describe / list / update, cluster describe, workflow start /
# describe / signal / show / terminate, search attributes, finding
# workflows with list / count filters, schedules, and batch operations
# (workflow signal / terminate / cancel --query, batch describe / list /
# terminate), and task-queue describe showing a backlog.
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

# Visibility, in the namespace made above (nothing else runs there). Rows
# follow the workflow state within moments: a check may retry for a while.
eventually() { for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done; "$@"; }
in_ns() { t "$@" --namespace "$ns"; }
sa_create()  { in_ns operator search-attribute create --name CustomerId --type Keyword; }
sa_listed()  { in_ns operator search-attribute list && shows CustomerId; }
sa_again()   { in_ns operator search-attribute create --name CustomerId --type Keyword; }
sa_clash()   { ! in_ns operator search-attribute create --name CustomerId --type Int && shows 'already exists'; }
sa_reserved(){ ! in_ns operator search-attribute create --name WorkflowId --type Keyword && shows 'reserved'; }
starts() {
  in_ns workflow start --type Order --task-queue vq --workflow-id order-1 --search-attribute 'CustomerId="alice"' &&
  in_ns workflow start --type Order --task-queue vq --workflow-id order-2 --search-attribute 'CustomerId="bob"' &&
  in_ns workflow start --type Refund --task-queue vq --workflow-id refund-1 --search-attribute 'CustomerId="alice"' &&
  in_ns workflow terminate --workflow-id order-2 --reason test
}
undefined_sa() { ! in_ns workflow start --type Order --task-queue vq --workflow-id x --search-attribute 'Nope="a"' && shows 'Nope'; }
list_all()    { in_ns workflow list && shows order-1 && shows order-2 && shows refund-1; }
list_type()   { in_ns workflow list --query "WorkflowType = 'Order' AND ExecutionStatus = 'Running'" && shows order-1 && ! shows order-2 && ! shows refund-1; }
list_custom() { in_ns workflow list --query "CustomerId = 'alice'" && shows order-1 && shows refund-1 && ! shows order-2; }
list_prefix() { in_ns workflow list --query "WorkflowId STARTS_WITH 'order-' AND ExecutionStatus = 'Terminated'" && shows order-2 && ! shows order-1; }
list_time()   { in_ns workflow list --query "StartTime > '2000-01-01T00:00:00Z' AND CloseTime IS NULL" && shows order-1 && ! shows order-2; }
count_all()   { in_ns workflow count && shows 'Total: 3'; }
count_group() { in_ns workflow count --query "GROUP BY ExecutionStatus" && shows 'Group total: 2, values: Running' && shows 'Group total: 1, values: Terminated'; }
bad_query()   { ! in_ns workflow list --query "WorkflowType = " && shows 'invalid query' && shows 'position'; }
unknown_sa_q(){ ! in_ns workflow list --query "Bogus = 'x'" && shows "unknown search attribute 'Bogus'"; }

check "search attribute create" sa_create
check "search attribute list shows it" sa_listed
check "creating the same search attribute again is fine" sa_again
check "redefining its type fails" sa_clash
check "a system attribute name is reserved" sa_reserved
check "workflows start with a search attribute" starts
check "an undefined search attribute is refused" undefined_sa
check "workflow list shows every run" eventually list_all
check "list by type and status" eventually list_type
check "list by custom keyword" eventually list_custom
check "list by prefix and status" eventually list_prefix
check "list by start time and open" eventually list_time
check "workflow count" eventually count_all
check "workflow count grouped by status" eventually count_group
check "a malformed query is refused with its position" bad_query
check "an unknown attribute in a query is named" unknown_sa_q

# Schedules, in the namespace made above: `temporal schedule ...` and the
# runs they start (named <workflow id>-<time>, with TemporalScheduledById).
sched="cli-sched-$$"
sc_create()   { in_ns schedule create --schedule-id "$sched" --interval 2s --workflow-id tick --type Tick --task-queue nobody --overlap-policy AllowAll; }
sc_describe() { in_ns schedule describe --schedule-id "$sched" --output json && shows '"2s"' && shows '"Tick"'; }
sc_runs()     { in_ns workflow list --query "TemporalScheduledById = '$sched'" && shows "tick-20"; }
sc_list()     { in_ns schedule list && shows "$sched"; }
sc_pause()    { in_ns schedule toggle --schedule-id "$sched" --pause --reason "cli pause"; }
sc_paused()   { in_ns schedule describe --schedule-id "$sched" --output json && shows '"paused": *true' && shows 'cli pause'; }
sc_trigger()  { in_ns schedule trigger --schedule-id "$sched"; }
sc_backfill() { in_ns schedule backfill --schedule-id "$sched" --start-time 2024-01-01T00:00:00Z --end-time 2024-01-01T00:00:05Z --overlap-policy AllowAll; }
sc_backfilled(){ in_ns workflow list --query "TemporalScheduledById = '$sched'" && shows 'tick-2024-01-01T00:00:00Z' && shows 'tick-2024-01-01T00:00:04Z'; }
sc_dup()      { ! in_ns schedule create --schedule-id "$sched" --interval 1h --workflow-id x --type X --task-queue nobody && shows 'already'; }
sc_delete()   { in_ns schedule delete --schedule-id "$sched"; }
sc_gone()     { ! in_ns schedule describe --schedule-id "$sched" && shows 'not found'; }
sc_hidden()   { in_ns workflow list --query "WorkflowType = 'temporal-sys-scheduler-workflow'" && ! shows "$sched"; }

check "schedule create --interval 2s" sc_create
check "schedule describe shows the spec and action" sc_describe
check "its runs show in workflow list, named after their times" eventually sc_runs
check "schedule list shows it" eventually sc_list
check "schedule toggle --pause" sc_pause
check "schedule describe shows it paused with the reason" sc_paused
check "schedule trigger" sc_trigger
check "schedule backfill" sc_backfill
check "the backfill's runs start (start time inclusive)" eventually sc_backfilled
check "creating it again fails" sc_dup
check "schedules are not in the workflow list" sc_hidden
check "schedule delete" sc_delete
check "a deleted schedule is not found" sc_gone

wf_delete()  { t workflow delete --workflow-id "$wf"; }
wf_deleted() { ! t workflow describe --workflow-id "$wf" && shows 'not found'; }
check "workflow delete" wf_delete
check "a deleted workflow is not found" wf_deleted

# Batch operations, in the namespace made above: one runs at a time there,
# as on Temporal, so each is waited for before the next starts.
job=""
started_job() { job=$(sed -n 's/^Started batch for job ID: //p' "$out"); [ -n "$job" ]; }
job_done()    { in_ns batch describe --job-id "$job" && shows 'COMPLETED' && shows "$1/$1"; }
batch_runs() {
  for i in 1 2 3; do
    in_ns workflow start --type BatchTarget --task-queue bq --workflow-id "batch-$i" || return 1
  done
  in_ns workflow start --type Bystander --task-queue bq --workflow-id bystander
}
batch_listed()   { in_ns workflow count --query "WorkflowType = 'BatchTarget'" && shows 'Total: 3'; }
batch_signal()   { in_ns workflow signal --query "WorkflowType = 'BatchTarget'" --name nudge --input '1' --yes && started_job; }
batch_signalled(){ for i in 1 2 3; do in_ns workflow show --workflow-id "batch-$i" && shows WorkflowExecutionSignaled || return 1; done; }
bystander_calm() { in_ns workflow show --workflow-id bystander && ! shows WorkflowExecutionSignaled; }
batch_term()     { in_ns workflow terminate --query "WorkflowType = 'BatchTarget'" --reason "batch by CLI" --yes && started_job; }
batch_termed()   { for i in 1 2 3; do in_ns workflow describe --workflow-id "batch-$i" --output json && shows TERMINATED || return 1; done; }
bystander_runs() { in_ns workflow describe --workflow-id bystander --output json && shows RUNNING; }
batch_list()     { in_ns batch list && [ "$(grep -ci completed "$out")" = 2 ]; }
slow_batch()     { in_ns workflow cancel --query "WorkflowType = 'Bystander'" --rps 0.1 --yes && started_job; }
batch_stop()     { in_ns batch terminate --job-id "$job" --reason "stopped by CLI" && shows 'Terminated Batch Job'; }
batch_stopped()  { in_ns batch describe --job-id "$job" && shows 'FAILED'; }
stop_again()     { ! in_ns batch terminate --job-id "$job" --reason again && shows 'could not find batch job'; }
check "runs for the batches start" batch_runs
check "they are listed" eventually batch_listed
check "workflow signal --query starts a batch" batch_signal
check "batch describe shows it completed, 3/3" eventually job_done 3
check "every matching run got the signal" batch_signalled
check "the run that does not match did not" bystander_calm
check "workflow terminate --query starts a batch" batch_term
check "batch describe shows it completed" eventually job_done 3
check "every matching run is terminated" eventually batch_termed
check "the run that does not match still runs" bystander_runs
check "batch list shows both" batch_list
check "a slow batch starts" slow_batch
check "batch terminate stops it" batch_stop
check "batch describe shows it failed" batch_stopped
check "stopping it again fails" stop_again

# A task queue nobody polls, in the namespace made above: its workflow
# tasks wait, and task-queue describe shows them (both modes).
tq="cli-tq-$$"
tq_runs()     { for i in 1 2 3; do in_ns workflow start --type Waiting --task-queue "$tq" --workflow-id "tq-$i" || return 1; done; }
tq_backlog()  { in_ns task-queue describe --task-queue "$tq" && grep -Eq 'workflow +3 ' "$out" && grep -Eq 'activity +0 ' "$out"; }
tq_json()     { in_ns task-queue describe --task-queue "$tq" --output json && shows '"approximateBacklogCount": 3'; }
tq_legacy()   { in_ns task-queue describe --task-queue "$tq" --legacy-mode --output json && shows '"backlog_count_hint": 3'; }
check "workflows start on a queue nobody polls" tq_runs
check "task-queue describe shows a workflow backlog of 3" eventually tq_backlog
check "task-queue describe --output json has the count" tq_json
check "task-queue describe --legacy-mode has the backlog hint" tq_legacy

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
