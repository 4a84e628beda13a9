// RequestCancelWorkflowExecution: a cancel request event on an open run,
// once; the workflow decides what to do with it.
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

bool RequestCancel(MutationScope& scope, RunChange& run, const std::string& reason, const std::string& identity,
                   int64_t external_initiated_event_id,
                   const temporal::api::common::v1::WorkflowExecution* external) {
  if (run.state.cancel_requested()) return false;
  run.state.set_cancel_requested(true);
  HistoryEvent event;
  event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  auto* attrs = event.mutable_workflow_execution_cancel_requested_event_attributes();
  attrs->set_cause(reason);
  attrs->set_identity(identity);
  if (external != nullptr) {
    attrs->set_external_initiated_event_id(external_initiated_event_id);
    *attrs->mutable_external_workflow_execution() = *external;
  }
  AddExternalEvent(run, scope.now(), std::move(event));
  ScheduleWorkflowTask(scope, run);
  return true;
}

void HistoryEngine::RequestCancelWorkflow(const NamespaceRef& ns,
                                          wsv1::RequestCancelWorkflowExecutionRequest request, Done<bool> done) {
  ShardOf(ns.id, request.workflow_execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> loaded = LoadOpenRun(scope, ns.id, request.workflow_execution());
            // Cancelling a closed workflow is a successful no-op.
            if (loaded.status().message() == AlreadyCompleted().message()) return false;
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            if (!request.first_execution_run_id().empty() &&
                request.first_execution_run_id() != run.state.first_execution_run_id()) {
              return absl::NotFoundError("workflow not found for the given first execution run id");
            }
            return RequestCancel(scope, run, request.reason(), request.identity());
          },
          std::move(done));
}

}  // namespace zaman::history
