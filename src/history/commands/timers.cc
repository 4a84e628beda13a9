// A workflow's user timers (StartTimer and CancelTimer commands, TimerFired),
// and FireTimer: where every durable timer of a run comes due and is handed
// to the code of its kind.

#include "history/commands/commands_internal.h"
#include "history/run_chain.h"

namespace zaman::history {
namespace {

void FireUserTimer(MutationScope& scope, RunChange& run, const TimerTask& task, absl::Time now) {
  MutableState& state = run.state;
  auto it = state.timers().find(task.timer_id());
  if (it == state.timers().end() || it->second.started_event_id() != task.event_id()) return;
  HistoryEvent fired;
  fired.set_event_type(enums::EVENT_TYPE_TIMER_FIRED);
  fired.mutable_timer_fired_event_attributes()->set_timer_id(task.timer_id());
  fired.mutable_timer_fired_event_attributes()->set_started_event_id(task.event_id());
  state.mutable_timers()->erase(task.timer_id());
  AddExternalEvent(run, now, std::move(fired));
  ScheduleWorkflowTask(scope, run);
}

}  // namespace

void StartTimer(MutationScope& scope, RunChange& run, absl::Time now, int64_t completed_id,
                const temporal::api::command::v1::StartTimerCommandAttributes& a) {
  MutableState& state = run.state;
  HistoryEvent& started = AddEvent(run, now, enums::EVENT_TYPE_TIMER_STARTED);
  auto* t = started.mutable_timer_started_event_attributes();
  t->set_timer_id(a.timer_id());
  *t->mutable_start_to_fire_timeout() = a.start_to_fire_timeout();
  t->set_workflow_task_completed_event_id(completed_id);
  absl::Time fire = now + FromProto(a.start_to_fire_timeout());
  persistence::v1::TimerInfo& timer = (*state.mutable_timers())[a.timer_id()];
  timer.set_timer_id(a.timer_id());
  timer.set_started_event_id(started.event_id());
  *timer.mutable_fire_time() = ToProto(fire);
  TimerTask task = NewTimerTask(state, TimerTask::USER_TIMER, fire);
  task.set_timer_id(a.timer_id());
  task.set_event_id(started.event_id());
  scope.AddTimerTask(std::move(task));
}

void CancelTimer(RunChange& run, absl::Time now, int64_t completed_id, const std::string& timer_id,
                 const std::string& identity) {
  MutableState& state = run.state;
  HistoryEvent& canceled = AddEvent(run, now, enums::EVENT_TYPE_TIMER_CANCELED);
  auto* t = canceled.mutable_timer_canceled_event_attributes();
  t->set_timer_id(timer_id);
  t->set_started_event_id(state.timers().at(timer_id).started_event_id());
  t->set_workflow_task_completed_event_id(completed_id);
  t->set_identity(identity);
  state.mutable_timers()->erase(timer_id);
}

absl::Status FireTimer(MutationScope& scope, Random& random, RunChange& run, const TimerTask& task) {
  MutableState& state = run.state;
  if (!IsOpen(state)) return absl::OkStatus();
  absl::Time now = scope.now();
  switch (task.kind()) {
    case TimerTask::USER_TIMER: FireUserTimer(scope, run, task, now); break;
    case TimerTask::WORKFLOW_TASK_TIMEOUT: FireWorkflowTaskTimeout(scope, run, task); break;
    case TimerTask::ACTIVITY_TIMEOUT: FireActivityTimeout(scope, run, task, now); break;
    case TimerTask::ACTIVITY_RETRY: FireActivityRetry(scope, run, task); break;
    case TimerTask::WORKFLOW_RUN_TIMEOUT: return TimeOutRunOrRetry(scope, random, run);
    case TimerTask::WORKFLOW_BACKOFF:
      if (!state.awaiting_first_task_backoff()) break;
      state.set_awaiting_first_task_backoff(false);
      ScheduleWorkflowTask(scope, run);
      break;
    default: break;
  }
  return absl::OkStatus();
}

}  // namespace zaman::history
