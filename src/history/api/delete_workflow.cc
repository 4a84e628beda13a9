// DeleteWorkflowExecution: removes a run and its history, terminating it
// first if it is still running.
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

void HistoryEngine::DeleteWorkflow(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                                   const std::string& reason, Done<bool> done) {
  ShardOf(ns.id, execution.workflow_id())
      .Execute<bool>(
          [ns, execution, reason](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> loaded = LoadRun(scope, ns.id, execution);
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            // Its parent and children hear of it as of a termination.
            if (IsOpen(run.state)) TerminateRun(scope, run, reason, nullptr, "history-service");
            scope.Delete(run);
            return true;
          },
          std::move(done));
}

}  // namespace zaman::history
