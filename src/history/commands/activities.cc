// An activity's life in its workflow's run: scheduled by a command,
// dispatched to matching (again for each retry), its cancel requested,
// retried or ended when an attempt fails, and finished with its result.
// Its timeouts: activity_timeouts.cc.

#include "absl/strings/str_cat.h"
#include "history/commands/commands_internal.h"
#include "history/retry_policy.h"

namespace zaman::history {

using temporal::api::failure::v1::Failure;

int64_t ScheduleActivity(MutationScope& scope, RunChange& run, int64_t completed_id,
                         const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& a) {
  MutableState& state = run.state;
  absl::Time now = scope.now();
  ActivityTimeouts t = *NormalizeTimeouts(a, FromProto(state.workflow_run_timeout()));
  HistoryEvent& event = AddEvent(run, now, enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  auto* attrs = event.mutable_activity_task_scheduled_event_attributes();
  attrs->set_activity_id(a.activity_id());
  *attrs->mutable_activity_type() = a.activity_type();
  attrs->mutable_task_queue()->set_name(a.task_queue().name().empty() ? state.task_queue().name()
                                                                      : a.task_queue().name());
  attrs->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (a.has_header()) *attrs->mutable_header() = a.header();
  if (a.has_input()) *attrs->mutable_input() = a.input();
  *attrs->mutable_schedule_to_close_timeout() = ToProto(t.schedule_to_close);
  *attrs->mutable_schedule_to_start_timeout() = ToProto(t.schedule_to_start);
  *attrs->mutable_start_to_close_timeout() = ToProto(t.start_to_close);
  *attrs->mutable_heartbeat_timeout() = ToProto(t.heartbeat);
  attrs->set_workflow_task_completed_event_id(completed_id);
  *attrs->mutable_retry_policy() = a.retry_policy();
  ApplyRetryDefaults(*attrs->mutable_retry_policy());
  attrs->set_use_workflow_build_id(a.use_workflow_build_id());
  if (a.has_priority()) *attrs->mutable_priority() = a.priority();

  persistence::v1::ActivityInfo& activity = (*state.mutable_activities())[event.event_id()];
  activity.set_scheduled_event_id(event.event_id());
  *activity.mutable_scheduled() = *attrs;
  activity.set_attempt(1);
  *activity.mutable_first_scheduled_time() = ToProto(now);
  DispatchActivity(scope, run, activity);
  return event.event_id();
}

void DispatchActivity(MutationScope& scope, RunChange& run, persistence::v1::ActivityInfo& activity) {
  const MutableState& state = run.state;
  const absl::Time now = scope.now();
  *activity.mutable_current_attempt_scheduled_time() = ToProto(now);
  TransferTask transfer = NewTransferTask(state, TransferTask::ACTIVITY_TASK);
  transfer.set_scheduled_event_id(activity.scheduled_event_id());
  *transfer.mutable_task_queue() = activity.scheduled().task_queue();
  transfer.set_attempt(activity.attempt());
  scope.AddTransferTask(std::move(transfer));

  ArmActivityTimeout(scope, state, activity, enums::TIMEOUT_TYPE_SCHEDULE_TO_START,
                     FromProto(activity.scheduled().schedule_to_start_timeout()));
  // Schedule-to-close counts from the first attempt.
  ArmActivityTimeout(scope, state, activity, enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
                     FromProto(activity.first_scheduled_time()) +
                         FromProto(activity.scheduled().schedule_to_close_timeout()) - now);
}

void FireActivityRetry(MutationScope& scope, RunChange& run, const TimerTask& task) {
  const MutableState& state = run.state;
  auto it = state.activities().find(task.event_id());
  if (it == state.activities().end() || it->second.attempt() != task.attempt() || it->second.started() ||
      it->second.paused()) {
    return;  // a paused one waits for UnpauseActivity
  }
  TransferTask transfer = NewTransferTask(state, TransferTask::ACTIVITY_TASK);
  transfer.set_scheduled_event_id(task.event_id());
  *transfer.mutable_task_queue() = it->second.scheduled().task_queue();
  transfer.set_attempt(task.attempt());
  scope.AddTransferTask(std::move(transfer));
}

absl::Status RequestCancelActivity(RunChange& run, absl::Time now, int64_t completed_id, int64_t scheduled_event_id,
                                   std::vector<ActivityCanceledBeforeStart>& canceled_before_start) {
  MutableState& state = run.state;
  if (!state.activities().contains(scheduled_event_id)) {
    // It named an event id the schedules of this task did not get.
    return absl::InvalidArgumentError(
        absl::StrCat("BadRequestCancelActivityAttributes: no pending activity ", scheduled_event_id));
  }
  HistoryEvent& requested = AddEvent(run, now, enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
  auto* r = requested.mutable_activity_task_cancel_requested_event_attributes();
  r->set_scheduled_event_id(scheduled_event_id);
  r->set_workflow_task_completed_event_id(completed_id);
  persistence::v1::ActivityInfo& activity = (*state.mutable_activities())[scheduled_event_id];
  activity.set_cancel_requested(true);
  activity.set_cancel_requested_event_id(requested.event_id());
  if (!activity.started()) {
    // Not running anywhere: canceled at once, and the workflow hears
    // of it. Its event follows the events of all the commands (as
    // Temporal writes it, and SDKs count on for the ids they expect).
    canceled_before_start.push_back({scheduled_event_id, requested.event_id()});
    state.mutable_activities()->erase(scheduled_event_id);
  }
  return absl::OkStatus();
}

void WriteActivitiesCanceledBeforeStart(RunChange& run, absl::Time now,
                                        const std::vector<ActivityCanceledBeforeStart>& canceled_before_start) {
  for (const ActivityCanceledBeforeStart& activity : canceled_before_start) {
    HistoryEvent& canceled = AddEvent(run, now, enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
    auto* a = canceled.mutable_activity_task_canceled_event_attributes();
    a->set_latest_cancel_requested_event_id(activity.cancel_requested_event_id);
    a->set_scheduled_event_id(activity.scheduled_event_id);
  }
}

void FinishActivity(MutationScope& scope, RunChange& run, int64_t scheduled_event_id, HistoryEvent terminal) {
  MutableState& state = run.state;
  auto it = state.mutable_activities()->find(scheduled_event_id);
  if (it == state.mutable_activities()->end()) return;
  persistence::v1::ActivityInfo activity = it->second;
  state.mutable_activities()->erase(it);
  absl::Time now = scope.now();
  int64_t started_id = 0;
  if (activity.started()) {
    HistoryEvent started;
    started.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
    auto* s = started.mutable_activity_task_started_event_attributes();
    s->set_scheduled_event_id(scheduled_event_id);
    s->set_identity(activity.started_identity());
    s->set_request_id(activity.started_request_id());
    s->set_attempt(activity.attempt());
    if (activity.has_last_failure()) *s->mutable_last_failure() = activity.last_failure();
    AddExternalEvent(run, FromProto(activity.started_time()), std::move(started));
    // Appended now (no workflow task running) or fixed up when flushed.
    if (!run.events.empty() &&
        run.events.back().event_type() == enums::EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        run.events.back().activity_task_started_event_attributes().scheduled_event_id() == scheduled_event_id) {
      started_id = run.events.back().event_id();
    }
  }
  SetActivityStartedEventId(terminal, started_id);
  AddExternalEvent(run, now, std::move(terminal));
  ScheduleWorkflowTask(scope, run);
}

void RetryActivityOrFail(MutationScope& scope, RunChange& run, int64_t scheduled_event_id, const Failure& failure,
                         const std::string& identity) {
  MutableState& state = run.state;
  auto it = state.mutable_activities()->find(scheduled_event_id);
  if (it == state.mutable_activities()->end()) return;
  persistence::v1::ActivityInfo& activity = it->second;
  absl::Time now = scope.now();
  std::optional<absl::Time> expiration;
  absl::Duration schedule_to_close = FromProto(activity.scheduled().schedule_to_close_timeout());
  if (schedule_to_close > absl::ZeroDuration()) {
    expiration = FromProto(activity.first_scheduled_time()) + schedule_to_close;
  }
  RetryDecision decision = activity.cancel_requested()
                               ? RetryDecision{std::nullopt, enums::RETRY_STATE_CANCEL_REQUESTED}
                               : DecideRetry(activity.scheduled().retry_policy(), activity.attempt(), failure, now,
                                             expiration);
  if (activity.reset_requested() && !activity.cancel_requested()) {
    // ResetActivity while this attempt ran: it retries from attempt 1.
    activity.set_reset_requested(false);
    activity.set_attempt(1);
    decision.delay = absl::ZeroDuration();
  }
  if (decision.delay) {
    activity.set_attempt(activity.attempt() + 1);
    *activity.mutable_last_failure() = failure;
    activity.set_started(false);
    activity.clear_started_time();
    activity.clear_started_identity();
    activity.clear_started_request_id();
    if (activity.paused()) return;  // UnpauseActivity dispatches the next attempt
    absl::Time next = now + *decision.delay;
    *activity.mutable_current_attempt_scheduled_time() = ToProto(next);
    TimerTask retry = NewTimerTask(state, TimerTask::ACTIVITY_RETRY, next);
    retry.set_event_id(scheduled_event_id);
    retry.set_attempt(activity.attempt());
    scope.AddTimerTask(std::move(retry));
    return;
  }
  HistoryEvent event;
  if (failure.has_timeout_failure_info()) {
    event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
    auto* attrs = event.mutable_activity_task_timed_out_event_attributes();
    *attrs->mutable_failure() = failure;
    if (decision.state == enums::RETRY_STATE_TIMEOUT) {
      attrs->mutable_failure()->mutable_timeout_failure_info()->set_timeout_type(
          enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
    }
    attrs->set_scheduled_event_id(scheduled_event_id);
    attrs->set_retry_state(decision.state);
  } else {
    event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_FAILED);
    auto* attrs = event.mutable_activity_task_failed_event_attributes();
    *attrs->mutable_failure() = failure;
    attrs->set_scheduled_event_id(scheduled_event_id);
    attrs->set_identity(identity);
    attrs->set_retry_state(decision.state);
  }
  FinishActivity(scope, run, scheduled_event_id, std::move(event));
}

}  // namespace zaman::history
