#include "history/workflow_run.h"

#include <map>
#include <optional>

#include <google/protobuf/util/time_util.h>

#include "visibility/search_attributes.h"

namespace zaman::history {

using ::google::protobuf::util::TimeUtil;

bool IsOpen(const MutableState& state) {
  return state.status() == enums::WORKFLOW_EXECUTION_STATUS_RUNNING;
}

HistoryEvent& AddEvent(RunChange& run, absl::Time now, enums::EventType type) {
  MutableState& state = run.state;
  HistoryEvent& event = run.events.emplace_back();
  event.set_event_id(state.next_event_id());
  state.set_next_event_id(state.next_event_id() + 1);
  *event.mutable_event_time() = ToProto(now);
  event.set_event_type(type);
  return event;
}

void AddExternalEvent(RunChange& run, absl::Time now, HistoryEvent event) {
  *event.mutable_event_time() = ToProto(now);
  const MutableState& state = run.state;
  // A speculative task not yet started becomes a real one: the new event
  // follows its scheduled event, whose id it reserved.
  if (state.has_workflow_task() && state.workflow_task().started_event_id() == 0) {
    // With something new to show, a transient retry is a first attempt again.
    if (state.workflow_task().speculative()) run.state.mutable_workflow_task()->set_attempt(1);
    MaterializeSpeculativeTask(run);
  }
  if (state.has_workflow_task() && state.workflow_task().started_event_id() != 0) {
    *run.state.add_buffered_events() = std::move(event);
    return;
  }
  event.set_event_id(run.state.next_event_id());
  run.state.set_next_event_id(run.state.next_event_id() + 1);
  run.events.push_back(std::move(event));
}

namespace {

// The scheduled-event id an activity event belongs to, or 0.
int64_t ActivityScheduledId(const HistoryEvent& e) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_STARTED:
      return e.activity_task_started_event_attributes().scheduled_event_id();
    default:
      return 0;
  }
}

}  // namespace

void SetChildStartedEventId(HistoryEvent& e, int64_t started_id) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      e.mutable_child_workflow_execution_completed_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      e.mutable_child_workflow_execution_failed_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      e.mutable_child_workflow_execution_canceled_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      e.mutable_child_workflow_execution_timed_out_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
      e.mutable_child_workflow_execution_terminated_event_attributes()->set_started_event_id(started_id);
      break;
    default:
      break;
  }
}

void SetActivityStartedEventId(HistoryEvent& e, int64_t started_id) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      e.mutable_activity_task_completed_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      e.mutable_activity_task_failed_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      e.mutable_activity_task_timed_out_event_attributes()->set_started_event_id(started_id);
      break;
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      e.mutable_activity_task_canceled_event_attributes()->set_started_event_id(started_id);
      break;
    default:
      break;
  }
}

namespace {

int64_t ResultScheduledId(const HistoryEvent& e) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      return e.activity_task_completed_event_attributes().scheduled_event_id();
    case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
      return e.activity_task_failed_event_attributes().scheduled_event_id();
    case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      return e.activity_task_timed_out_event_attributes().scheduled_event_id();
    case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      return e.activity_task_canceled_event_attributes().scheduled_event_id();
    default:
      return 0;
  }
}

// The initiated event id a child workflow's result event names, or 0.
int64_t ChildResultInitiatedId(const HistoryEvent& e) {
  switch (e.event_type()) {
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      return e.child_workflow_execution_completed_event_attributes().initiated_event_id();
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      return e.child_workflow_execution_failed_event_attributes().initiated_event_id();
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      return e.child_workflow_execution_canceled_event_attributes().initiated_event_id();
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      return e.child_workflow_execution_timed_out_event_attributes().initiated_event_id();
    case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
      return e.child_workflow_execution_terminated_event_attributes().initiated_event_id();
    default:
      return 0;
  }
}

}  // namespace

void FlushBuffered(RunChange& run) {
  MutableState& state = run.state;
  std::map<int64_t, int64_t> started_ids;  // activity scheduled id -> started event id
  std::map<int64_t, int64_t> child_started_ids;  // child initiated id -> ChildWorkflowExecutionStarted id
  for (HistoryEvent& event : *state.mutable_buffered_events()) {
    event.set_event_id(state.next_event_id());
    state.set_next_event_id(state.next_event_id() + 1);
    if (int64_t scheduled = ActivityScheduledId(event); scheduled != 0) {
      started_ids[scheduled] = event.event_id();
    } else if (int64_t result_of = ResultScheduledId(event); result_of != 0) {
      if (auto it = started_ids.find(result_of); it != started_ids.end()) SetActivityStartedEventId(event, it->second);
    } else if (event.has_child_workflow_execution_started_event_attributes()) {
      const int64_t initiated = event.child_workflow_execution_started_event_attributes().initiated_event_id();
      child_started_ids[initiated] = event.event_id();
      auto child = state.mutable_children()->find(initiated);
      if (child != state.mutable_children()->end()) child->second.set_started_event_id(event.event_id());
    } else if (int64_t initiated = ChildResultInitiatedId(event); initiated != 0) {
      if (auto it = child_started_ids.find(initiated); it != child_started_ids.end()) {
        SetChildStartedEventId(event, it->second);
      }
    }
    run.events.push_back(std::move(event));
  }
  state.clear_buffered_events();
}

void ScheduleWorkflowTask(MutationScope& scope, RunChange& run, bool speculative) {
  MutableState& state = run.state;
  if (!IsOpen(state) || state.has_workflow_task() || (state.awaiting_first_task_backoff() && !speculative)) return;
  FlushBuffered(run);
  if (!run.state.buffered_events().empty()) speculative = false;
  absl::Time now = scope.now();
  // A worker that keeps the run cached asked for its tasks on its own
  // (sticky) queue; matching falls back to the normal queue when that
  // worker is gone, and a schedule-to-start timer catches one that died.
  const bool sticky = !state.sticky_task_queue().name().empty();
  const temporal::api::taskqueue::v1::TaskQueue& queue = sticky ? state.sticky_task_queue() : state.task_queue();
  int64_t scheduled_event_id = state.next_event_id();
  if (!speculative) {
    HistoryEvent& event = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    *event.mutable_workflow_task_scheduled_event_attributes() = ScheduledAttributes(queue, state, 1);
    scheduled_event_id = event.event_id();
  }

  auto* task = state.mutable_workflow_task();
  task->set_speculative(speculative);
  task->set_scheduled_event_id(scheduled_event_id);
  task->set_attempt(1);
  *task->mutable_scheduled_time() = ToProto(now);
  *task->mutable_task_queue() = queue;
  *task->mutable_start_to_close_timeout() = state.workflow_task_timeout();

  TransferTask transfer = NewTransferTask(state, TransferTask::WORKFLOW_TASK);
  transfer.set_scheduled_event_id(scheduled_event_id);
  *transfer.mutable_task_queue() = queue;
  transfer.set_attempt(1);
  scope.AddTransferTask(std::move(transfer));

  if (sticky) {
    absl::Duration wait = FromProto(state.sticky_schedule_to_start_timeout());
    if (wait <= absl::ZeroDuration()) wait = kDefaultStickyScheduleToStart;
    TimerTask timeout = NewTimerTask(state, TimerTask::WORKFLOW_TASK_TIMEOUT, now + wait);
    timeout.set_event_id(scheduled_event_id);
    timeout.set_attempt(1);
    timeout.set_timeout_type(enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
    scope.AddTimerTask(std::move(timeout));
  }
}

void EndFirstTaskBackoff(MutationScope& scope, RunChange& run) {
  run.state.set_awaiting_first_task_backoff(false);
  ScheduleWorkflowTask(scope, run);
}

temporal::api::history::v1::WorkflowTaskScheduledEventAttributes ScheduledAttributes(
    const temporal::api::taskqueue::v1::TaskQueue& queue, const MutableState& state, int32_t attempt) {
  temporal::api::history::v1::WorkflowTaskScheduledEventAttributes attrs;
  *attrs.mutable_task_queue() = queue;
  *attrs.mutable_start_to_close_timeout() = state.workflow_task_timeout();
  attrs.set_attempt(attempt);
  return attrs;
}

std::vector<HistoryEvent> SpeculativeTaskEvents(const MutableState& state) {
  std::vector<HistoryEvent> events;
  const auto& wft = state.workflow_task();
  if (!wft.speculative()) return events;
  HistoryEvent& scheduled = events.emplace_back();
  scheduled.set_event_id(wft.scheduled_event_id());
  *scheduled.mutable_event_time() = wft.scheduled_time();
  scheduled.set_event_type(enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  *scheduled.mutable_workflow_task_scheduled_event_attributes() =
      ScheduledAttributes(wft.task_queue(), state, wft.attempt());
  if (wft.started_event_id() == 0) return events;
  HistoryEvent& started = events.emplace_back();
  started.set_event_id(wft.started_event_id());
  *started.mutable_event_time() = wft.started_time();
  started.set_event_type(enums::EVENT_TYPE_WORKFLOW_TASK_STARTED);
  auto* attrs = started.mutable_workflow_task_started_event_attributes();
  attrs->set_scheduled_event_id(wft.scheduled_event_id());
  attrs->set_identity(wft.started_identity());
  attrs->set_request_id(wft.request_id());
  attrs->set_history_size_bytes(state.history_size_bytes());
  return events;
}

void MaterializeSpeculativeTask(RunChange& run) {
  MutableState& state = run.state;
  if (!state.has_workflow_task() || !state.workflow_task().speculative()) return;
  for (HistoryEvent& event : SpeculativeTaskEvents(state)) {
    state.set_next_event_id(event.event_id() + 1);
    run.events.push_back(std::move(event));
  }
  state.mutable_workflow_task()->set_speculative(false);
  // A run whose first task made it into history no longer waits out a backoff.
  state.set_awaiting_first_task_backoff(false);
}

void ClearStickyTaskQueue(MutableState& state) {
  state.clear_sticky_task_queue();
  state.clear_sticky_schedule_to_start_timeout();
}

namespace {

// The run that continues a chain after `close`, if one does.
std::string NewRunOf(const HistoryEvent& close) {
  switch (close.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      return close.workflow_execution_completed_event_attributes().new_execution_run_id();
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return close.workflow_execution_failed_event_attributes().new_execution_run_id();
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return close.workflow_execution_timed_out_event_attributes().new_execution_run_id();
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      return close.workflow_execution_continued_as_new_event_attributes().new_execution_run_id();
    default:
      return "";
  }
}

// What closing a run owes other runs: its parent hears how the child's
// chain ended; its children get the parent close policy.
void NotifyRelatives(MutationScope& scope, const RunChange& run) {
  const MutableState& state = run.state;
  if (state.has_parent_execution() && !run.events.empty() && NewRunOf(run.events.back()).empty()) {
    TransferTask closed = NewTransferTask(state, TransferTask::CHILD_CLOSED);
    closed.set_target_workflow_id(state.parent_execution().workflow_id());
    closed.set_target_run_id(state.parent_execution().run_id());
    closed.set_initiated_event_id(state.parent_initiated_event_id());
    *closed.mutable_child_close_event() = run.events.back();
    closed.set_child_first_run_id(state.first_execution_run_id());
    scope.AddTransferTask(std::move(closed));
  }
  for (const auto& [initiated_id, child] : state.children()) {
    if (child.parent_close_policy() == enums::PARENT_CLOSE_POLICY_ABANDON || child.run_id().empty()) continue;
    TransferTask policy = NewTransferTask(state, TransferTask::PARENT_CLOSE_POLICY);
    policy.set_target_workflow_id(child.workflow_id());
    policy.set_target_run_id(child.run_id());
    policy.set_initiated_event_id(initiated_id);
    policy.set_parent_close_policy(child.parent_close_policy());
    scope.AddTransferTask(std::move(policy));
  }
}

}  // namespace

void CloseRun(MutationScope& scope, RunChange& run, enums::WorkflowExecutionStatus status) {
  MutableState& state = run.state;
  state.set_status(status);
  *state.mutable_close_time() = ToProto(scope.now());
  NotifyRelatives(scope, run);
  state.clear_children();
  // Pending work is abandoned; its outbox and timer tasks find the run
  // closed and do nothing. Activities still pending stay listed, as
  // Temporal's Describe shows them after the close.
  state.clear_workflow_task();
  state.clear_timers();
}

void MergeSearchAttributes(MutableState& state, const temporal::api::common::v1::SearchAttributes& upserted) {
  auto& current = *state.mutable_search_attributes()->mutable_indexed_fields();
  for (const auto& [key, value] : upserted.indexed_fields()) {
    auto stamped = value.metadata().find("type");
    std::optional<visibility::IndexedValueType> type =
        stamped == value.metadata().end() ? std::nullopt : visibility::TypeFromName(stamped->second);
    bool null = false;
    if (type) {
      absl::StatusOr<std::vector<visibility::IndexValue>> values = visibility::DecodeValues(value, *type);
      null = values.ok() && values->empty();
    }
    if (null) {
      current.erase(key);
    } else {
      current[key] = value;
    }
  }
}

void MergeMemo(MutableState& state, const temporal::api::common::v1::Memo& upserted) {
  for (const auto& [key, value] : upserted.fields()) {
    // An empty payload (the SDKs' nil, encoding binary/null) removes the field.
    if (value.data().empty()) {
      state.mutable_memo()->mutable_fields()->erase(key);
    } else {
      (*state.mutable_memo()->mutable_fields())[key] = value;
    }
  }
}

temporal::api::workflow::v1::WorkflowExecutionInfo ExecutionInfoOf(const MutableState& state) {
  temporal::api::workflow::v1::WorkflowExecutionInfo info;
  info.mutable_execution()->set_workflow_id(state.workflow_id());
  info.mutable_execution()->set_run_id(state.run_id());
  *info.mutable_type() = state.workflow_type();
  *info.mutable_start_time() = state.start_time();
  *info.mutable_execution_time() = state.execution_time();
  if (!IsOpen(state)) {
    *info.mutable_close_time() = state.close_time();
    absl::Duration ran = FromProto(state.close_time()) - FromProto(state.execution_time());
    if (ran > absl::ZeroDuration()) *info.mutable_execution_duration() = ToProto(ran);
  }
  info.set_status(state.status());
  info.set_history_length(state.next_event_id() - 1);
  info.set_history_size_bytes(state.history_size_bytes());
  *info.mutable_memo() = state.memo();
  *info.mutable_search_attributes() = state.search_attributes();
  info.set_task_queue(state.task_queue().name());
  info.set_first_run_id(state.first_execution_run_id());
  if (state.has_parent_execution()) {
    *info.mutable_parent_execution() = state.parent_execution();
    info.set_parent_namespace_id(state.parent_namespace_id());
  }
  // A workflow no parent started is the root of its own tree.
  if (state.has_root_execution()) {
    *info.mutable_root_execution() = state.root_execution();
  } else {
    *info.mutable_root_execution() = info.execution();
  }
  if (state.has_priority()) *info.mutable_priority() = state.priority();
  return info;
}

TransferTask NewTransferTask(const MutableState& state, TransferTask::Kind kind) {
  TransferTask task;
  task.set_kind(kind);
  task.set_namespace_id(state.namespace_id());
  task.set_workflow_id(state.workflow_id());
  task.set_run_id(state.run_id());
  return task;
}

TimerTask NewTimerTask(const MutableState& state, TimerTask::Kind kind, absl::Time at) {
  TimerTask task;
  task.set_kind(kind);
  *task.mutable_fire_time() = ToProto(at);
  task.set_namespace_id(state.namespace_id());
  task.set_workflow_id(state.workflow_id());
  task.set_run_id(state.run_id());
  return task;
}

}  // namespace zaman::history
