// GetWorkflowExecutionHistoryReverse: the run's history newest first, a
// page at a time.
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> HistoryEngine::GetWorkflowHistoryReverse(
    const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request) {
  persistence::v1::HistoryPageToken page;
  if (!request.next_page_token().empty() && !page.ParseFromString(request.next_page_token())) {
    return errors::InvalidArgument("Invalid NextPageToken.");
  }
  const std::string& workflow_id = request.execution().workflow_id();
  absl::StatusOr<std::string> run_id =
      ResolveRunId(ns.id, workflow_id, page.run_id().empty() ? request.execution().run_id() : page.run_id());
  if (!run_id.ok()) return run_id.status();
  absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(ns.id, workflow_id, *run_id);
  if (record.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
  }
  if (!record.ok()) return record.status();
  const int page_size = request.maximum_page_size() <= 0
                            ? kMaxHistoryPageSize
                            : std::min<int>(request.maximum_page_size(), kMaxHistoryPageSize);
  // Events [from, to): the page ends where the previous one began.
  const int64_t to = page.next_event_id() > 0 ? page.next_event_id() : record->state.next_event_id();
  const int64_t from = std::max<int64_t>(1, to - page_size);
  absl::StatusOr<std::vector<HistoryEvent>> events =
      store_.ReadHistory(ns.id, workflow_id, *run_id, from, to, page_size);
  if (!events.ok()) return events.status();
  wsv1::GetWorkflowExecutionHistoryReverseResponse response;
  for (auto it = events->rbegin(); it != events->rend(); ++it) *response.mutable_history()->add_events() = *it;
  if (from > 1) {
    persistence::v1::HistoryPageToken next;
    next.set_run_id(*run_id);
    next.set_next_event_id(from);
    response.set_next_page_token(next.SerializeAsString());
  }
  return response;
}

}  // namespace zaman::history
