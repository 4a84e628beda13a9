// RecordWorkflowTaskStarted: a worker's poll got a workflow task; the task
// is marked started and the worker gets the history it needs. The same
// start serves a task handed back in the reply to a completion
// (return_new_workflow_task).
#include "history/engine_internal.h"
#include "history/history_metrics.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

// Past these the worker is told to continue as new (Temporal's
// limit.historyCount / limit.historySize .suggestContinueAsNew defaults).
constexpr int64_t kSuggestContinueAsNewEvents = 4 * 1024;
constexpr int64_t kSuggestContinueAsNewBytes = 4 * 1024 * 1024;

}  // namespace

StartedWorkflowTask StartWorkflowTask(MutationScope& scope, RunChange& run, const std::string& identity,
                                      const std::string& request_id, bool partial_history) {
  MutableState& state = run.state;
  absl::Time now = scope.now();
  auto* wft = state.mutable_workflow_task();
  int64_t started_event_id = wft->scheduled_event_id() + 1;
  if (!wft->speculative()) {
    HistoryEvent& event = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_TASK_STARTED);
    auto* attrs = event.mutable_workflow_task_started_event_attributes();
    attrs->set_scheduled_event_id(wft->scheduled_event_id());
    attrs->set_identity(identity);
    attrs->set_request_id(request_id);
    int64_t history_bytes = state.history_size_bytes();
    for (const auto& e : run.events) history_bytes += static_cast<int64_t>(e.ByteSizeLong());
    attrs->set_history_size_bytes(history_bytes);
    // Temporal counts the events before this one.
    const int64_t history_length = event.event_id() - 1;
    if (history_length >= kSuggestContinueAsNewEvents) {
      attrs->add_suggest_continue_as_new_reasons(enums::SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS);
    }
    if (history_bytes >= kSuggestContinueAsNewBytes) {
      attrs->add_suggest_continue_as_new_reasons(enums::SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE);
    }
    attrs->set_suggest_continue_as_new(attrs->suggest_continue_as_new_reasons_size() > 0);
    started_event_id = event.event_id();
  }
  wft->set_started_event_id(started_event_id);
  *wft->mutable_started_time() = ToProto(now);
  wft->set_started_identity(identity);
  wft->set_request_id(request_id);

  TimerTask timeout =
      NewTimerTask(state, TimerTask::WORKFLOW_TASK_TIMEOUT, now + FromProto(wft->start_to_close_timeout()));
  timeout.set_event_id(wft->scheduled_event_id());
  timeout.set_attempt(wft->attempt());
  timeout.set_timeout_type(enums::TIMEOUT_TYPE_START_TO_CLOSE);
  scope.AddTimerTask(std::move(timeout));

  StartedWorkflowTask started;
  started.started_event_id = started_event_id;
  // An SDK that lost its cache fetches the rest of the history itself.
  if (partial_history) started.first_event_id = state.last_completed_wft_started_event_id() + 1;
  if (wft->speculative()) {
    // Its two events ride after the stored ones, which must then fit in the
    // first page; else they are written now.
    if (wft->scheduled_event_id() - started.first_event_id > kMaxHistoryPageSize - 2) {
      MaterializeSpeculativeTask(run);
    } else {
      started.unwritten = SpeculativeTaskEvents(state);
    }
  }
  auto& r = started.response;
  TaskToken token;
  token.set_namespace_id(state.namespace_id());
  token.set_workflow_id(state.workflow_id());
  token.set_run_id(state.run_id());
  token.set_scheduled_event_id(wft->scheduled_event_id());
  token.set_started_event_id(started_event_id);
  token.set_attempt(wft->attempt());
  r.set_task_token(EncodeToken(token));
  r.mutable_workflow_execution()->set_workflow_id(state.workflow_id());
  r.mutable_workflow_execution()->set_run_id(state.run_id());
  *r.mutable_workflow_type() = state.workflow_type();
  r.set_previous_started_event_id(state.last_completed_wft_started_event_id());
  r.set_started_event_id(started_event_id);
  r.set_attempt(wft->attempt());
  *r.mutable_scheduled_time() = wft->scheduled_time();
  *r.mutable_started_time() = wft->started_time();
  *r.mutable_workflow_execution_task_queue() = NormalQueue(state.task_queue());
  r.mutable_history();
  return started;
}

void HistoryEngine::RecordWorkflowTaskStarted(const NamespaceRef& ns, const TransferTask& task,
                                              std::string identity, std::string request_id,
                                              Done<wsv1::PollWorkflowTaskQueueResponse> done) {
  Shard& shard = ShardOf(task.namespace_id(), task.workflow_id());
  shard.Execute<StartedWorkflowTask>(
      [task, identity, request_id](MutationScope& scope) -> absl::StatusOr<StartedWorkflowTask> {
        // Whatever happens below, this outbox task has been handled.
        scope.CompleteTransferTask(task.task_id());
        absl::StatusOr<RunChange*> loaded = scope.Load(task.namespace_id(), task.workflow_id(), task.run_id());
        if (!loaded.ok()) {
          return loaded.status().code() == absl::StatusCode::kNotFound ? WorkflowTaskNotFound() : loaded.status();
        }
        RunChange& run = **loaded;
        const MutableState& state = run.state;
        if (!IsOpen(state) || !state.has_workflow_task() ||
            state.workflow_task().scheduled_event_id() != task.scheduled_event_id() ||
            state.workflow_task().started_event_id() != 0) {
          return WorkflowTaskNotFound();
        }
        // A worker polling its sticky queue has the run cached.
        return StartWorkflowTask(scope, run, identity, request_id,
                                 task.task_queue().kind() == enums::TASK_QUEUE_KIND_STICKY);
      },
      [this, done = Counted(HistoryOperation::kRecordWorkflowTaskStarted, ns.name, std::move(done))](
          absl::StatusOr<StartedWorkflowTask> started) {
        if (!started.ok()) return done(started.status());
        SendWorkflowTask(*std::move(started), std::move(done));
      });
}

void HistoryEngine::SendWorkflowTask(StartedWorkflowTask started, Done<wsv1::PollWorkflowTaskQueueResponse> done) {
  // The history the worker needs, up to and including the started event;
  // more pages through GetWorkflowExecutionHistory.
  read_pool_.Post([this, started = std::move(started), done = std::move(done)]() mutable {
    auto& r = started.response;
    const auto& exec = r.workflow_execution();
    TaskToken token;
    token.ParseFromString(r.task_token());
    absl::StatusOr<std::vector<HistoryEvent>> events =
        store_.ReadHistory(token.namespace_id(), exec.workflow_id(), exec.run_id(), started.first_event_id,
                           started.started_event_id + 1, kMaxHistoryPageSize);
    if (!events.ok()) return done(events.status());
    int64_t next = events->empty() ? started.first_event_id : events->back().event_id() + 1;
    for (auto& e : *events) *r.mutable_history()->add_events() = std::move(e);
    for (auto& e : started.unwritten) {
      if (e.event_id() == next) {
        *r.mutable_history()->add_events() = std::move(e);
        ++next;
      }
    }
    // Workflow Updates waiting for the worker ride on every task.
    RunKey key{token.namespace_id(), exec.workflow_id(), exec.run_id()};
    for (const UpdateRegistry::Request& request : updates_.TakeForTask(key, started.started_event_id)) {
      auto* message = r.add_messages();
      message->set_id(request.meta().update_id() + "/request");
      message->set_protocol_instance_id(request.meta().update_id());
      message->set_event_id(started.started_event_id - 1);
      message->mutable_body()->PackFrom(request);
    }
    if (next <= started.started_event_id) {
      persistence::v1::HistoryPageToken page;
      page.set_run_id(exec.run_id());
      page.set_next_event_id(next);
      page.set_end_event_id(started.started_event_id + 1);
      r.set_next_page_token(page.SerializeAsString());
    }
    done(std::move(r));
  });
}

}  // namespace zaman::history
