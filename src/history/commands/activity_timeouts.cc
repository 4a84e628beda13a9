// An activity's timeouts: filled in when it is scheduled, armed for each
// attempt, and what happens when one comes due (an attempt's start-to-close
// and heartbeat retry it; schedule-to-start and schedule-to-close end it).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "history/commands/commands_internal.h"

namespace zaman::history {
namespace {

using temporal::api::failure::v1::Failure;

// A timeout type as Temporal's messages name it ("StartToClose").
const char* TimeoutTypeName(enums::TimeoutType type) {
  switch (type) {
    case enums::TIMEOUT_TYPE_START_TO_CLOSE: return "StartToClose";
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_START: return "ScheduleToStart";
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE: return "ScheduleToClose";
    case enums::TIMEOUT_TYPE_HEARTBEAT: return "Heartbeat";
    default: return "Unspecified";
  }
}

Failure TimeoutFailure(enums::TimeoutType type, const persistence::v1::ActivityInfo& activity) {
  Failure failure;
  failure.set_message(absl::StrCat("activity ", TimeoutTypeName(type), " timeout"));
  failure.set_source("Server");
  auto* info = failure.mutable_timeout_failure_info();
  info->set_timeout_type(type);
  if (activity.has_heartbeat_details()) *info->mutable_last_heartbeat_details() = activity.heartbeat_details();
  return failure;
}

void TimeOutActivity(MutationScope& scope, RunChange& run, persistence::v1::ActivityInfo& activity,
                     enums::TimeoutType type) {
  Failure failure = TimeoutFailure(type, activity);
  if (type == enums::TIMEOUT_TYPE_START_TO_CLOSE || type == enums::TIMEOUT_TYPE_HEARTBEAT) {
    RetryActivityOrFail(scope, run, activity.scheduled_event_id(), failure, "");
    return;
  }
  HistoryEvent event;
  event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  auto* attrs = event.mutable_activity_task_timed_out_event_attributes();
  *attrs->mutable_failure() = failure;
  if (activity.has_last_failure()) *attrs->mutable_failure()->mutable_cause() = activity.last_failure();
  attrs->set_scheduled_event_id(activity.scheduled_event_id());
  attrs->set_retry_state(enums::RETRY_STATE_TIMEOUT);
  FinishActivity(scope, run, activity.scheduled_event_id(), std::move(event));
}

}  // namespace

std::optional<ActivityTimeouts> NormalizeTimeouts(
    const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& a, absl::Duration run_timeout) {
  ActivityTimeouts t{FromProto(a.schedule_to_close_timeout()), FromProto(a.schedule_to_start_timeout()),
                     FromProto(a.start_to_close_timeout()), FromProto(a.heartbeat_timeout())};
  for (absl::Duration d : {t.schedule_to_close, t.schedule_to_start, t.start_to_close, t.heartbeat}) {
    if (d < absl::ZeroDuration()) return std::nullopt;
  }
  const absl::Duration zero = absl::ZeroDuration();
  if (t.schedule_to_close > zero) {
    t.schedule_to_start = t.schedule_to_start > zero ? std::min(t.schedule_to_start, t.schedule_to_close)
                                                     : t.schedule_to_close;
    t.start_to_close = t.start_to_close > zero ? std::min(t.start_to_close, t.schedule_to_close)
                                               : t.schedule_to_close;
  } else if (t.start_to_close > zero) {
    t.schedule_to_close = run_timeout;
    if (t.schedule_to_start == zero) t.schedule_to_start = run_timeout;
  } else {
    return std::nullopt;
  }
  if (run_timeout > zero) {
    for (absl::Duration* d : {&t.schedule_to_close, &t.schedule_to_start, &t.start_to_close}) {
      if (*d == zero || *d > run_timeout) *d = run_timeout;
    }
  }
  if (t.heartbeat > t.start_to_close) t.heartbeat = t.start_to_close;
  return t;
}

void ArmActivityTimeout(MutationScope& scope, const MutableState& state, const persistence::v1::ActivityInfo& activity,
                        enums::TimeoutType type, absl::Duration after) {
  if (after <= absl::ZeroDuration()) return;
  TimerTask timer = NewTimerTask(state, TimerTask::ACTIVITY_TIMEOUT, scope.now() + after);
  timer.set_event_id(activity.scheduled_event_id());
  timer.set_attempt(activity.attempt());
  timer.set_timeout_type(type);
  scope.AddTimerTask(std::move(timer));
}

void FireActivityTimeout(MutationScope& scope, RunChange& run, const TimerTask& task, absl::Time now) {
  MutableState& state = run.state;
  auto it = state.mutable_activities()->find(task.event_id());
  if (it == state.mutable_activities()->end()) return;
  persistence::v1::ActivityInfo& activity = it->second;
  switch (task.timeout_type()) {
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE: {
      // An attempt that never started whose schedule-to-start ran out
      // too (it defaults to schedule-to-close) timed out waiting for a
      // worker: Temporal names that deadline first on a tie.
      const bool waited_out_start = !activity.started() &&
                                    FromProto(activity.current_attempt_scheduled_time()) +
                                            FromProto(activity.scheduled().schedule_to_start_timeout()) <=
                                        now;
      TimeOutActivity(scope, run, activity,
                      waited_out_start ? enums::TIMEOUT_TYPE_SCHEDULE_TO_START : enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
      return;
    }
    case enums::TIMEOUT_TYPE_SCHEDULE_TO_START:
      if (activity.attempt() == task.attempt() && !activity.started()) {
        TimeOutActivity(scope, run, activity, enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
      }
      return;
    case enums::TIMEOUT_TYPE_START_TO_CLOSE:
      if (activity.attempt() == task.attempt() && activity.started()) {
        TimeOutActivity(scope, run, activity, enums::TIMEOUT_TYPE_START_TO_CLOSE);
      }
      return;
    case enums::TIMEOUT_TYPE_HEARTBEAT: {
      if (activity.attempt() != task.attempt() || !activity.started()) return;
      absl::Time last = activity.has_last_heartbeat_time() ? FromProto(activity.last_heartbeat_time())
                                                           : FromProto(activity.started_time());
      absl::Time due = last + FromProto(activity.scheduled().heartbeat_timeout());
      if (due > now) {
        // A heartbeat came in since: wait for the next deadline.
        TimerTask again = task;
        *again.mutable_fire_time() = ToProto(due);
        scope.AddTimerTask(std::move(again));
        return;
      }
      TimeOutActivity(scope, run, activity, enums::TIMEOUT_TYPE_HEARTBEAT);
      return;
    }
    default:
      return;
  }
}

}  // namespace zaman::history
