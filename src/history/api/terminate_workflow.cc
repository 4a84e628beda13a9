// TerminateWorkflowExecution: the run ends at once, as terminated.
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

// Writes WorkflowExecutionTerminated (failing a started workflow task
// first) and closes the run.
void TerminateRun(MutationScope& scope, RunChange& run, const std::string& reason,
                  const temporal::api::common::v1::Payloads* details, const std::string& identity) {
  absl::Time now = scope.now();
  MutableState& state = run.state;
  if (state.has_workflow_task() && state.workflow_task().started_event_id() != 0) {
    MaterializeSpeculativeTask(run);
    HistoryEvent& failed = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_TASK_FAILED);
    auto* attrs = failed.mutable_workflow_task_failed_event_attributes();
    attrs->set_scheduled_event_id(state.workflow_task().scheduled_event_id());
    attrs->set_started_event_id(state.workflow_task().started_event_id());
    attrs->set_cause(enums::WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND);
    attrs->set_identity("history-service");
    state.clear_workflow_task();
  }
  FlushBuffered(run);
  HistoryEvent& terminated = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
  auto* attrs = terminated.mutable_workflow_execution_terminated_event_attributes();
  attrs->set_reason(reason);
  if (details != nullptr) *attrs->mutable_details() = *details;
  attrs->set_identity(identity);
  CloseRun(scope, run, enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

void HistoryEngine::TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                                      Done<bool> done) {
  ShardOf(ns.id, request.workflow_execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> run = LoadOpenRun(scope, ns.id, request.workflow_execution());
            if (!run.ok()) return run.status();
            TerminateRun(scope, **run, request.reason(), &request.details(), request.identity());
            return true;
          },
          std::move(done));
}

}  // namespace zaman::history
