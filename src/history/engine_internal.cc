// The helpers of engine_internal.h that no one RPC owns: errors, tokens,
// and loading the run a request names.
#include "history/engine_internal.h"

#include "absl/strings/str_cat.h"
#include "history/workflow_run.h"

namespace zaman::history {

absl::Status AlreadyCompleted() { return absl::NotFoundError("workflow execution already completed"); }

absl::Status WorkflowTaskNotFound() { return absl::NotFoundError("Workflow task not found."); }
absl::Status ActivityTaskNotFound() { return absl::NotFoundError("Activity task not found."); }

std::string EncodeToken(const TaskToken& token) { return token.SerializeAsString(); }

temporal::api::taskqueue::v1::TaskQueue NormalQueue(const temporal::api::taskqueue::v1::TaskQueue& queue) {
  temporal::api::taskqueue::v1::TaskQueue normal;
  normal.set_name(queue.name());
  normal.set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  return normal;
}

absl::StatusOr<RunChange*> LoadRun(MutationScope& scope, const std::string& namespace_id,
                                   const temporal::api::common::v1::WorkflowExecution& execution) {
  std::string run_id = execution.run_id();
  if (run_id.empty()) {
    absl::StatusOr<std::string> current = scope.CurrentRunId(namespace_id, execution.workflow_id());
    if (!current.ok()) return current.status();
    if (current->empty()) {
      return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", execution.workflow_id()));
    }
    run_id = *current;
  }
  absl::StatusOr<RunChange*> loaded = scope.Load(namespace_id, execution.workflow_id(), run_id);
  if (loaded.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", execution.workflow_id()));
  }
  return loaded;
}

absl::StatusOr<RunChange*> LoadOpenRun(MutationScope& scope, const std::string& namespace_id,
                                       const temporal::api::common::v1::WorkflowExecution& execution) {
  absl::StatusOr<RunChange*> loaded = LoadRun(scope, namespace_id, execution);
  if (!loaded.ok()) return loaded.status();
  if (!IsOpen((*loaded)->state)) return AlreadyCompleted();
  return loaded;
}

// Checks a workflow task token against the run; NotFound when stale.
absl::StatusOr<RunChange*> LoadForWorkflowTask(MutationScope& scope, const TaskToken& token) {
  absl::StatusOr<RunChange*> loaded = scope.Load(token.namespace_id(), token.workflow_id(), token.run_id());
  if (!loaded.ok()) {
    return loaded.status().code() == absl::StatusCode::kNotFound ? WorkflowTaskNotFound() : loaded.status();
  }
  const MutableState& state = (*loaded)->state;
  if (!IsOpen(state) || !state.has_workflow_task() ||
      state.workflow_task().scheduled_event_id() != token.scheduled_event_id() ||
      state.workflow_task().started_event_id() != token.started_event_id() ||
      state.workflow_task().attempt() != token.attempt()) {
    return WorkflowTaskNotFound();
  }
  return loaded;
}

}  // namespace zaman::history
