// GetWorkflowExecutionHistory: the run's history a page at a time; with
// wait_new_event a long poll for the next events (or the close event).
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

void HistoryEngine::GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                                       absl::Time deadline, Done<wsv1::GetWorkflowExecutionHistoryResponse> done) {
  persistence::v1::HistoryPageToken page;
  if (!request.next_page_token().empty() && !page.ParseFromString(request.next_page_token())) {
    return done(errors::InvalidArgument("Invalid NextPageToken."));
  }
  std::string run_id = request.execution().run_id();
  if (!page.run_id().empty()) {
    if (!run_id.empty() && run_id != page.run_id()) {
      return done(errors::InvalidArgument("RunId in the request does not match the NextPageToken."));
    }
    run_id = page.run_id();
  }
  absl::StatusOr<std::string> resolved = ResolveRunId(ns.id, request.execution().workflow_id(), run_id);
  if (!resolved.ok()) return done(resolved.status());
  const std::string workflow_id = request.execution().workflow_id();
  RunKey key{ns.id, workflow_id, *resolved};
  int page_size = request.maximum_page_size() <= 0 ? kMaxHistoryPageSize
                                                   : std::min<int>(request.maximum_page_size(), kMaxHistoryPageSize);
  const bool close_only = request.history_event_filter_type() == enums::HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;

  // One attempt at answering; `last` says the deadline has come.
  auto attempt = std::make_shared<std::function<void(bool)>>();
  *attempt = [this, key, page, page_size, close_only, request, deadline, done, attempt](bool last) {
    const auto& [namespace_id, workflow_id, run_id] = key;
    absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(namespace_id, workflow_id, run_id);
    if (record.status().code() == absl::StatusCode::kNotFound) {
      return done(absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id)));
    }
    if (!record.ok()) return done(record.status());
    const MutableState& state = record->state;
    const bool open = IsOpen(state);
    wsv1::GetWorkflowExecutionHistoryResponse response;
    response.mutable_history();
    persistence::v1::HistoryPageToken next = page;
    next.set_run_id(run_id);
    if (close_only) {
      if (!open) {
        absl::StatusOr<std::vector<HistoryEvent>> events =
            store_.ReadHistory(namespace_id, workflow_id, run_id, state.next_event_id() - 1, state.next_event_id(), 1);
        if (!events.ok()) return done(events.status());
        for (auto& e : *events) *response.mutable_history()->add_events() = std::move(e);
        return done(std::move(response));
      }
      if (!request.wait_new_event() || last) {
        if (request.wait_new_event()) response.set_next_page_token(next.SerializeAsString());
        return done(std::move(response));
      }
      return WaitForRun(key, deadline, *attempt, /*until_closed=*/true);
    }
    int64_t from = std::max<int64_t>(page.next_event_id(), 1);
    int64_t to = page.end_event_id() > 0 ? page.end_event_id() : state.next_event_id();
    if (from >= to && open && request.wait_new_event() && !last) return WaitForRun(key, deadline, *attempt);
    absl::StatusOr<std::vector<HistoryEvent>> events =
        store_.ReadHistory(namespace_id, workflow_id, run_id, from, to, page_size);
    if (!events.ok()) return done(events.status());
    int64_t after = events->empty() ? from : events->back().event_id() + 1;
    for (auto& e : *events) *response.mutable_history()->add_events() = std::move(e);
    next.set_next_event_id(after);
    bool more_now = after < to;
    bool more_later = page.end_event_id() == 0 && open && request.wait_new_event();
    if (more_now || more_later) response.set_next_page_token(next.SerializeAsString());
    done(std::move(response));
  };
  read_pool_.Post([attempt] { (*attempt)(false); });
}

}  // namespace zaman::history
