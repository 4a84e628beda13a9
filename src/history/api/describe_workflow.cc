// DescribeWorkflowExecution: a blocking read of the run's mutable state:
// its configuration, pending activities, children and workflow task.
#include "absl/strings/str_cat.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> HistoryEngine::DescribeWorkflow(
    const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request) {
  absl::StatusOr<std::string> run_id =
      ResolveRunId(ns.id, request.execution().workflow_id(), request.execution().run_id());
  if (!run_id.ok()) return run_id.status();
  absl::StatusOr<persistence::ExecutionRecord> record =
      store_.GetExecution(ns.id, request.execution().workflow_id(), *run_id);
  if (record.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", request.execution().workflow_id()));
  }
  if (!record.ok()) return record.status();
  const MutableState& state = record->state;
  wsv1::DescribeWorkflowExecutionResponse response;
  auto* config = response.mutable_execution_config();
  *config->mutable_task_queue() = state.task_queue();
  *config->mutable_workflow_execution_timeout() = state.workflow_execution_timeout();
  *config->mutable_workflow_run_timeout() = state.workflow_run_timeout();
  *config->mutable_default_workflow_task_timeout() = state.workflow_task_timeout();
  *response.mutable_workflow_execution_info() = ExecutionInfoOf(state);
  // The summary and details the start gave are kept on its started event.
  absl::StatusOr<std::vector<HistoryEvent>> first =
      store_.ReadHistory(ns.id, state.workflow_id(), state.run_id(), 1, 2, 1);
  if (!first.ok()) return first.status();
  if (!first->empty() && first->front().has_user_metadata()) {
    *config->mutable_user_metadata() = first->front().user_metadata();
  }
  for (const auto& [scheduled_id, activity] : state.activities()) {
    auto* pending = response.add_pending_activities();
    pending->set_activity_id(activity.scheduled().activity_id());
    *pending->mutable_activity_type() = activity.scheduled().activity_type();
    pending->set_state(activity.cancel_requested() ? enums::PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
                       : activity.started()        ? enums::PENDING_ACTIVITY_STATE_STARTED
                                                   : enums::PENDING_ACTIVITY_STATE_SCHEDULED);
    if (activity.has_heartbeat_details()) *pending->mutable_heartbeat_details() = activity.heartbeat_details();
    if (activity.has_last_heartbeat_time()) *pending->mutable_last_heartbeat_time() = activity.last_heartbeat_time();
    if (activity.started()) *pending->mutable_last_started_time() = activity.started_time();
    pending->set_attempt(activity.attempt());
    *pending->mutable_scheduled_time() = activity.current_attempt_scheduled_time();
    if (activity.has_last_failure()) *pending->mutable_last_failure() = activity.last_failure();
    pending->set_last_worker_identity(activity.started_identity());
    pending->set_paused(activity.paused());
  }
  for (const auto& [initiated_id, child] : state.children()) {
    auto* pending = response.add_pending_children();
    pending->set_workflow_id(child.workflow_id());
    pending->set_run_id(child.run_id());
    pending->set_workflow_type_name(child.workflow_type().name());
    pending->set_initiated_id(initiated_id);
    pending->set_parent_close_policy(child.parent_close_policy());
  }
  if (state.has_workflow_task()) {
    auto* wft = response.mutable_pending_workflow_task();
    wft->set_state(state.workflow_task().started_event_id() != 0 ? enums::PENDING_WORKFLOW_TASK_STATE_STARTED
                                                                 : enums::PENDING_WORKFLOW_TASK_STATE_SCHEDULED);
    *wft->mutable_scheduled_time() = state.workflow_task().scheduled_time();
    if (state.workflow_task().started_event_id() != 0) *wft->mutable_started_time() = state.workflow_task().started_time();
    wft->set_attempt(state.workflow_task().attempt());
  }
  return response;
}

}  // namespace zaman::history
