#pragma once

// Private to the history module: the run mutations that the engine's RPC
// handlers (api/, one file per RPC) and its cross-run task processors
// (cross_run_tasks.cc) share. Each runs inside one mutation of the run's shard.
// Each is defined in the file of the RPC it belongs to (named beside it), or
// in engine_internal.cc when no one RPC owns it.

#include <functional>
#include <optional>
#include <string>

#include "common/random.h"
#include "history/history_engine.h"
#include "history/shard.h"

namespace zaman::history {

// Events per history page (the workflow task's first page included).
inline constexpr int kMaxHistoryPageSize = 256;

// The NotFound a stale task token gets.
absl::Status WorkflowTaskNotFound();
absl::Status ActivityTaskNotFound();
// A task token as the worker carries it.
std::string EncodeToken(const TaskToken& token);
// The task queue kind the SDKs expect in events and poll responses: the normal one.
temporal::api::taskqueue::v1::TaskQueue NormalQueue(const temporal::api::taskqueue::v1::TaskQueue& queue);

// The priority a task runs with: `own` where it sets a field, else the
// workflow's (`inherited`), as Temporal merges them.
temporal::api::common::v1::Priority MergePriority(const temporal::api::common::v1::Priority& inherited,
                                                  const temporal::api::common::v1::Priority& own);

// Starts the pending activity attempt for `identity` (its start-to-close
// and heartbeat timers) and returns the task the worker runs
// (api/record_activity_task_started.cc, as MergePriority).
wsv1::PollActivityTaskQueueResponse StartActivityTask(MutationScope& scope, const MutableState& state,
                                                      persistence::v1::ActivityInfo& activity,
                                                      const std::string& namespace_name, const std::string& identity,
                                                      const std::string& request_id);

// A workflow task just started for a worker: its poll response without the
// history, and the events the history is to hold (read after the commit).
struct StartedWorkflowTask {
  wsv1::PollWorkflowTaskQueueResponse response;
  int64_t first_event_id = 1;
  int64_t started_event_id = 0;
  std::vector<HistoryEvent> unwritten;  // a speculative task's events
};

// Starts the run's scheduled workflow task for `identity`: its started
// event (none while speculative) and start-to-close timer. A worker that
// has the run cached (`partial_history`) gets the events since the last
// task it completed (api/record_workflow_task_started.cc).
StartedWorkflowTask StartWorkflowTask(MutationScope& scope, RunChange& run, const std::string& identity,
                                      const std::string& request_id, bool partial_history);

// Who starts a child run.
struct ParentRef {
  std::string namespace_id;
  std::string namespace_name;
  temporal::api::common::v1::WorkflowExecution execution;
  int64_t initiated_event_id = 0;
  temporal::api::common::v1::WorkflowExecution root;  // of the tree the child joins
};

// A new run for `request` (validated), current if the current run is still
// `expected_current`. `before_first_task` adds events between the started
// event and the first workflow task (SignalWithStart's signal).
// CreateRun, LoadCurrentRun and ResolveConflict: api/start_workflow.cc.
absl::StatusOr<RunChange*> CreateRun(MutationScope& scope, Random& random, const NamespaceRef& ns,
                                     const wsv1::StartWorkflowExecutionRequest& request,
                                     const std::string& expected_current,
                                     const std::function<void(RunChange&)>& before_first_task = nullptr,
                                     const ParentRef* parent = nullptr);

// Writes WorkflowExecutionTerminated (failing a started workflow task
// first) and closes the run (api/terminate_workflow.cc).
void TerminateRun(MutationScope& scope, RunChange& run, const std::string& reason,
                  const temporal::api::common::v1::Payloads* details, const std::string& identity);

// A workflow id's current run: run_id "" and run nullptr if it never ran.
struct CurrentRun {
  std::string run_id;
  RunChange* run = nullptr;
};
absl::StatusOr<CurrentRun> LoadCurrentRun(MutationScope& scope, const std::string& namespace_id,
                                          const std::string& workflow_id);

// The start decision for a workflow id whose latest run is `current`
// (nullptr: none): the response when no run is to be created (a retried
// start, USE_EXISTING), nullopt to go on and create, or the error
// (WorkflowExecutionAlreadyStarted).
absl::StatusOr<std::optional<wsv1::StartWorkflowExecutionResponse>> ResolveConflict(
    MutationScope& scope, RunChange* current, const wsv1::StartWorkflowExecutionRequest& request);

// The run (the current one when execution.run_id is empty); NotFound
// naming the workflow id if there is none.
absl::StatusOr<RunChange*> LoadRun(MutationScope& scope, const std::string& namespace_id,
                                   const temporal::api::common::v1::WorkflowExecution& execution);
// The same, if it is open; AlreadyCompleted's NotFound for a closed run.
absl::StatusOr<RunChange*> LoadOpenRun(MutationScope& scope, const std::string& namespace_id,
                                       const temporal::api::common::v1::WorkflowExecution& execution);
absl::Status AlreadyCompleted();

// The open run a workflow task token names, if that task is still the
// run's current one; WorkflowTaskNotFound when the token is stale.
absl::StatusOr<RunChange*> LoadForWorkflowTask(MutationScope& scope, const TaskToken& token);

// WorkflowExecutionSignaled (deduplicated by request id); `input` and
// `header` null when the sender gave none. `external`: the workflow that
// sent it with a SignalExternalWorkflowExecution command (api/signal_workflow.cc).
absl::Status Signal(MutationScope& scope, RunChange& run, const std::string& name,
                    const temporal::api::common::v1::Payloads* input, const std::string& identity,
                    const temporal::api::common::v1::Header* header, const std::string& request_id,
                    const temporal::api::common::v1::WorkflowExecution* external = nullptr);

// WorkflowExecutionCancelRequested, once; false if already requested.
// `external_initiated_event_id` / `external`: the workflow that asked with
// a RequestCancelExternalWorkflowExecution command (api/request_cancel_workflow.cc).
bool RequestCancel(MutationScope& scope, RunChange& run, const std::string& reason, const std::string& identity,
                   int64_t external_initiated_event_id = 0,
                   const temporal::api::common::v1::WorkflowExecution* external = nullptr);

}  // namespace zaman::history
