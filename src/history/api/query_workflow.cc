// QueryWorkflow: which run answers a query and when (after the workflow
// task in flight, Temporal's consistent query), and the poll response that
// carries the query task to a worker.
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

void HistoryEngine::PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request, absl::Time deadline,
                                 Done<QueryTarget> done) {
  absl::StatusOr<std::string> run_id =
      ResolveRunId(ns.id, request.execution().workflow_id(), request.execution().run_id());
  if (!run_id.ok()) return done(run_id.status());
  RunKey key{ns.id, request.execution().workflow_id(), *run_id};
  auto attempt = std::make_shared<std::function<void(bool)>>();
  *attempt = [this, key, request, deadline, done, attempt](bool) {
    absl::StatusOr<QueryTarget> target = QueryTargetOf(key, request);
    const bool not_ready = target.status().code() == absl::StatusCode::kFailedPrecondition;
    const bool wait = not_ready || (target.ok() && target->task_pending);
    if (!wait) return done(std::move(target));
    if (clock_.Now() >= deadline) {
      if (not_ready) return done(std::move(target));
      return done(absl::DeadlineExceededError("query timed out waiting for the workflow task in progress"));
    }
    // Try again when the run changes (a workflow task completes).
    WaitForRun(key, deadline, *attempt);
  };
  (*attempt)(false);
}

absl::StatusOr<HistoryEngine::QueryTarget> HistoryEngine::QueryTargetOf(const RunKey& key,
                                                                        const wsv1::QueryWorkflowRequest& request) {
  const auto& [namespace_id, workflow_id, run_id] = key;
  absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(namespace_id, workflow_id, run_id);
  if (record.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
  }
  if (!record.ok()) return record.status();
  const MutableState& state = record->state;
  QueryTarget target;
  target.run_id = run_id;
  target.task_queue = state.task_queue();
  const bool open = IsOpen(state);
  auto condition = request.query_reject_condition();
  if ((condition == enums::QUERY_REJECT_CONDITION_NOT_OPEN && !open) ||
      (condition == enums::QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && !open &&
       state.status() != enums::WORKFLOW_EXECUTION_STATUS_COMPLETED)) {
    target.rejected.emplace().set_status(state.status());
    return target;
  }
  if (state.last_completed_wft_started_event_id() == 0) {
    // No worker has run the workflow code yet: nothing can answer. (The
    // only FailedPrecondition here: PrepareQuery waits on it.)
    return errors::WorkflowNotReady("Workflow task is not completed yet.");
  }
  target.task_pending = open && state.has_workflow_task();
  return target;
}

absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> HistoryEngine::QueryTaskResponse(
    const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query) {
  absl::StatusOr<persistence::ExecutionRecord> record =
      store_.GetExecution(task.namespace_id(), task.workflow_id(), task.run_id());
  if (!record.ok()) return record.status();
  const MutableState& state = record->state;
  // The history a worker replays to answer: up to the last completed
  // workflow task (a task in flight is not part of the answer).
  int64_t end = state.next_event_id();
  if (state.has_workflow_task()) end = state.workflow_task().scheduled_event_id();
  absl::StatusOr<std::vector<HistoryEvent>> events =
      store_.ReadHistory(task.namespace_id(), task.workflow_id(), task.run_id(), 1, end, kMaxHistoryPageSize);
  if (!events.ok()) return events.status();
  wsv1::PollWorkflowTaskQueueResponse r;
  TaskToken token;
  token.set_namespace_id(task.namespace_id());
  token.set_workflow_id(task.workflow_id());
  token.set_run_id(task.run_id());
  token.set_query_id(task.query_id());
  token.set_query_task_queue(task.task_queue().name());
  r.set_task_token(EncodeToken(token));
  r.mutable_workflow_execution()->set_workflow_id(state.workflow_id());
  r.mutable_workflow_execution()->set_run_id(state.run_id());
  *r.mutable_workflow_type() = state.workflow_type();
  r.set_previous_started_event_id(state.last_completed_wft_started_event_id());
  r.set_started_event_id(0);
  r.set_attempt(1);
  *r.mutable_workflow_execution_task_queue() = NormalQueue(state.task_queue());
  *r.mutable_query() = query;
  int64_t next = events->empty() ? 1 : events->back().event_id() + 1;
  for (auto& e : *events) *r.mutable_history()->add_events() = std::move(e);
  if (next < end) {
    persistence::v1::HistoryPageToken page;
    page.set_run_id(task.run_id());
    page.set_next_event_id(next);
    page.set_end_event_id(end);
    r.set_next_page_token(page.SerializeAsString());
  }
  return r;
}

}  // namespace zaman::history
