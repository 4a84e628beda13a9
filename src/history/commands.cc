#include "history/commands.h"

#include "absl/strings/str_cat.h"
#include "history/cron.h"
#include "history/retry_policy.h"
#include "history/run_chain.h"
#include "history/workflow_run.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace zaman::history {
namespace {

using temporal::api::command::v1::Command;
using temporal::api::failure::v1::Failure;
constexpr size_t kMaxIdLength = 1000;

bool IsCloseCommand(enums::CommandType type) {
  return type == enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION;
}

Failure ServerFailure(const std::string& message) {
  Failure failure;
  failure.set_message(message);
  failure.set_source("Server");
  failure.mutable_server_failure_info()->set_non_retryable(false);
  return failure;
}

// The whole completion is refused (nothing is written): the store failed.
CommandOutcome Refused(absl::Status status) {
  CommandOutcome outcome;
  outcome.reject = std::move(status);
  return outcome;
}

CommandOutcome FailTask(enums::WorkflowTaskFailedCause cause, const std::string& short_name,
                        const std::string& detail) {
  CommandOutcome outcome;
  outcome.failed_cause = cause;
  outcome.reply_message = detail.empty() ? short_name : absl::StrCat(short_name, ": ", detail);
  outcome.failure = ServerFailure(outcome.reply_message);
  return outcome;
}

// Activity timeouts as Temporal fills them in (architecture notes, §5.2).
struct ActivityTimeouts {
  absl::Duration schedule_to_close, schedule_to_start, start_to_close, heartbeat;
};

std::optional<ActivityTimeouts> NormalizeTimeouts(const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& a,
                                                  absl::Duration run_timeout) {
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

// Checks every command before any is applied, so a bad one writes nothing
// but the workflow task's failure.
// Children and external targets live in the run's own namespace (Temporal
// turns cross-namespace commands off by default).
bool SameNamespace(const std::string& named, const std::string& namespace_name) {
  return named.empty() || named == namespace_name;
}

CommandOutcome ValidateCommands(const MutableState& state, const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                const std::string& namespace_name,
                                const visibility::SearchAttributeTypes& search_attributes) {
  std::set<std::string> activity_ids;
  for (const auto& [id, activity] : state.activities()) activity_ids.insert(activity.scheduled().activity_id());
  std::set<std::string> timer_ids;
  for (const auto& [id, timer] : state.timers()) timer_ids.insert(id);
  const int n = request.commands_size();
  bool scheduled_in_this_task = false;
  for (int i = 0; i < n; ++i) {
    const Command& command = request.commands(i);
    if (IsCloseCommand(command.command_type()) && i != n - 1) {
      CommandOutcome outcome;
      outcome.reject = absl::InvalidArgumentError(absl::StrCat(
          "invalid command sequence: ", enums::CommandType_Name(command.command_type()),
          " must be the last command"));
      return outcome;
    }
    switch (command.command_type()) {
      case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const auto& a = command.schedule_activity_task_command_attributes();
        if (a.activity_id().empty() || a.activity_id().size() > kMaxIdLength) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
                          "BadScheduleActivityAttributes", "ActivityId is not set or too long.");
        }
        if (a.activity_type().name().empty()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
                          "BadScheduleActivityAttributes", "ActivityType is not set.");
        }
        if (!NormalizeTimeouts(a, FromProto(state.workflow_run_timeout()))) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
                          "BadScheduleActivityAttributes",
                          "A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.");
        }
        if (!activity_ids.insert(a.activity_id()).second) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
                          "ScheduleActivityDuplicateId", absl::StrCat("ActivityId ", a.activity_id()));
        }
        scheduled_in_this_task = true;
        break;
      }
      case enums::COMMAND_TYPE_START_TIMER: {
        const auto& a = command.start_timer_command_attributes();
        if (a.timer_id().empty() || a.timer_id().size() > kMaxIdLength ||
            FromProto(a.start_to_fire_timeout()) < absl::ZeroDuration()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, "BadStartTimerAttributes",
                          "TimerId or StartToFireTimeout is not valid.");
        }
        if (!timer_ids.insert(a.timer_id()).second) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID, "StartTimerDuplicateId",
                          absl::StrCat("TimerId ", a.timer_id()));
        }
        break;
      }
      case enums::COMMAND_TYPE_CANCEL_TIMER: {
        const std::string& id = command.cancel_timer_command_attributes().timer_id();
        if (timer_ids.erase(id) == 0) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, "BadCancelTimerAttributes",
                          absl::StrCat("TimerId ", id, " is not pending"));
        }
        break;
      }
      case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
        int64_t id = command.request_cancel_activity_task_command_attributes().scheduled_event_id();
        // An SDK may cancel an activity it schedules in the same task, naming
        // the event id the schedule is about to get (checked when applied).
        const bool scheduled_just_before = scheduled_in_this_task && id >= state.next_event_id();
        if (!state.activities().contains(id) && !scheduled_just_before) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
                          "BadRequestCancelActivityAttributes", absl::StrCat("no pending activity ", id));
        }
        break;
      }
      case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
        if (!command.fail_workflow_execution_command_attributes().has_failure()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
                          "BadFailWorkflowExecutionAttributes", "Failure is not set.");
        }
        break;
      case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        auto attributes = command.upsert_workflow_search_attributes_command_attributes().search_attributes();
        if (absl::Status s = visibility::ValidateAndStamp(attributes, search_attributes); !s.ok()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "BadSearchAttributes",
                          std::string(s.message()));
        }
        break;
      }
      case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
        const auto& a = command.continue_as_new_workflow_execution_command_attributes();
        auto attributes = a.search_attributes();
        if (absl::Status s = visibility::ValidateAndStamp(attributes, search_attributes); !s.ok()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "BadSearchAttributes",
                          std::string(s.message()));
        }
        if (FromProto(a.workflow_run_timeout()) < absl::ZeroDuration() ||
            FromProto(a.workflow_task_timeout()) < absl::ZeroDuration() ||
            FromProto(a.backoff_start_interval()) < absl::ZeroDuration()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
                          "BadContinueAsNewAttributes", "A timeout or the backoff start interval is negative.");
        }
        if (!a.cron_schedule().empty()) {
          if (absl::StatusOr<CronSchedule> cron = CronSchedule::Parse(a.cron_schedule()); !cron.ok()) {
            return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
                            "BadContinueAsNewAttributes", std::string(cron.status().message()));
          }
        }
        break;
      }
      case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        const auto& a = command.start_child_workflow_execution_command_attributes();
        auto fail = [](const std::string& why) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
                          "BadStartChildExecutionAttributes", why);
        };
        if (!SameNamespace(a.namespace_(), namespace_name)) return fail("cross-namespace children are not allowed");
        if (a.workflow_id().empty() || a.workflow_id().size() > kMaxIdLength) {
          return fail("WorkflowId is not set or too long.");
        }
        if (a.workflow_type().name().empty()) return fail("WorkflowType is not set.");
        if (FromProto(a.workflow_execution_timeout()) < absl::ZeroDuration() ||
            FromProto(a.workflow_run_timeout()) < absl::ZeroDuration() ||
            FromProto(a.workflow_task_timeout()) < absl::ZeroDuration()) {
          return fail("A timeout is negative.");
        }
        if (!a.cron_schedule().empty()) {
          if (absl::StatusOr<CronSchedule> cron = CronSchedule::Parse(a.cron_schedule()); !cron.ok()) {
            return fail(std::string(cron.status().message()));
          }
        }
        auto attributes = a.search_attributes();
        if (absl::Status s = visibility::ValidateAndStamp(attributes, search_attributes); !s.ok()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "BadSearchAttributes",
                          std::string(s.message()));
        }
        break;
      }
      case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
        const auto& a = command.signal_external_workflow_execution_command_attributes();
        if (!SameNamespace(a.namespace_(), namespace_name) || a.execution().workflow_id().empty() ||
            a.signal_name().empty()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
                          "BadSignalWorkflowExecutionAttributes",
                          "WorkflowId or SignalName is not set, or the namespace is another one.");
        }
        break;
      }
      case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
        const auto& a = command.request_cancel_external_workflow_execution_command_attributes();
        if (!SameNamespace(a.namespace_(), namespace_name) || a.workflow_id().empty()) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
                          "BadRequestCancelExternalWorkflowExecutionAttributes",
                          "WorkflowId is not set, or the namespace is another one.");
        }
        break;
      }
      case enums::COMMAND_TYPE_PROTOCOL_MESSAGE: {
        const std::string& id = command.protocol_message_command_attributes().message_id();
        bool found = false;
        for (const auto& m : request.messages()) found = found || m.id() == id;
        if (!found) {
          return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
                          "BadUpdateWorkflowExecutionMessage", absl::StrCat("no message with id ", id));
        }
        break;
      }
      case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      case enums::COMMAND_TYPE_RECORD_MARKER:
      case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
        break;
      default: {
        CommandOutcome outcome;
        outcome.reject = absl::UnimplementedError(absl::StrCat(
            "command ", enums::CommandType_Name(command.command_type()), " is not implemented by this server yet"));
        return outcome;
      }
    }
  }
  // Protocol messages: Workflow Update answers about updates this run has.
  std::set<std::string> accepting;
  for (const auto& m : request.messages()) {
    auto bad = [&](const std::string& why) {
      return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
                      "BadUpdateWorkflowExecutionMessage", absl::StrCat("message ", m.id(), ": ", why));
    };
    if (m.protocol_instance_id().empty()) return bad("no protocol instance id");
    if (m.body().Is<temporal::api::update::v1::Acceptance>()) {
      accepting.insert(m.protocol_instance_id());
    } else if (m.body().Is<temporal::api::update::v1::Response>()) {
      if (!accepting.contains(m.protocol_instance_id()) && !state.updates().contains(m.protocol_instance_id())) {
        return bad("a response to an update that was not accepted");
      }
    } else if (!m.body().Is<temporal::api::update::v1::Rejection>()) {
      return bad(absl::StrCat("unknown body ", m.body().type_url()));
    }
  }
  return {};
}

}  // namespace

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

void ArmActivityTimeout(MutationScope& scope, const MutableState& state, const persistence::v1::ActivityInfo& activity,
                        enums::TimeoutType type, absl::Duration after) {
  if (after <= absl::ZeroDuration()) return;
  TimerTask timer = NewTimerTask(state, TimerTask::ACTIVITY_TIMEOUT, scope.now() + after);
  timer.set_event_id(activity.scheduled_event_id());
  timer.set_attempt(activity.attempt());
  timer.set_timeout_type(type);
  scope.AddTimerTask(std::move(timer));
}

namespace {

// Returns the activity's scheduled event id.
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

namespace {

// After a workflow task failed or timed out: the next attempt, scheduled at
// once. New input (buffered events) makes it a fresh first attempt instead.
void RetryWorkflowTask(MutationScope& scope, RunChange& run) {
  MutableState& state = run.state;
  int32_t attempt = state.workflow_task().attempt();
  state.clear_workflow_task();
  // A task that failed on a sticky queue is tried again from the normal
  // queue with the full history, as a first attempt (as Temporal does).
  bool fresh = state.buffered_events_size() > 0 || !state.sticky_task_queue().name().empty();
  ClearStickyTaskQueue(state);
  // A retry with nothing new to show is transient, as in Temporal: its
  // events are written only if it completes (it is kept unwritten like a
  // speculative task), and its failures write nothing, so a task that fails
  // again and again does not grow the history.
  ScheduleWorkflowTask(scope, run, /*speculative=*/!fresh);
  if (!fresh && state.has_workflow_task()) state.mutable_workflow_task()->set_attempt(attempt + 1);
}

bool IsTransient(const MutableState& state) {
  return state.has_workflow_task() && state.workflow_task().speculative() && state.workflow_task().attempt() > 1;
}

}  // namespace

void FailWorkflowTask(MutationScope& scope, RunChange& run, enums::WorkflowTaskFailedCause cause,
                      const Failure* failure, const std::string& identity) {
  if (IsTransient(run.state)) return RetryWorkflowTask(scope, run);
  MaterializeSpeculativeTask(run);
  MutableState& state = run.state;
  HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_TASK_FAILED);
  auto* attrs = event.mutable_workflow_task_failed_event_attributes();
  attrs->set_scheduled_event_id(state.workflow_task().scheduled_event_id());
  attrs->set_started_event_id(state.workflow_task().started_event_id());
  attrs->set_cause(cause);
  if (failure != nullptr) *attrs->mutable_failure() = *failure;
  attrs->set_identity(identity);
  RetryWorkflowTask(scope, run);
}

void TimeOutWorkflowTask(MutationScope& scope, RunChange& run, enums::TimeoutType type) {
  if (IsTransient(run.state)) return RetryWorkflowTask(scope, run);
  MaterializeSpeculativeTask(run);
  MutableState& state = run.state;
  HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
  auto* attrs = event.mutable_workflow_task_timed_out_event_attributes();
  attrs->set_scheduled_event_id(state.workflow_task().scheduled_event_id());
  attrs->set_started_event_id(state.workflow_task().started_event_id());
  attrs->set_timeout_type(type);
  RetryWorkflowTask(scope, run);
}

namespace {

// A transfer task for the history role's own processors, from this run.
TransferTask CrossRunTaskOf(const MutableState& state, TransferTask::Kind kind, int64_t initiated_event_id,
                            std::string request_id) {
  TransferTask task = NewTransferTask(state, kind);
  task.set_initiated_event_id(initiated_event_id);
  task.set_request_id(std::move(request_id));
  return task;
}

constexpr absl::Duration kDefaultChildTaskTimeout = absl::Seconds(10);

void InitiateChild(MutationScope& scope, Random& random, RunChange& run, int64_t completed_id,
                   const std::string& namespace_name,
                   temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes a) {
  MutableState& state = run.state;
  HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
  auto* i = event.mutable_start_child_workflow_execution_initiated_event_attributes();
  i->set_namespace_(namespace_name);
  i->set_namespace_id(state.namespace_id());
  i->set_workflow_id(a.workflow_id());
  *i->mutable_workflow_type() = a.workflow_type();
  i->mutable_task_queue()->set_name(a.task_queue().name().empty() ? state.task_queue().name() : a.task_queue().name());
  i->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (a.has_input()) *i->mutable_input() = a.input();
  if (a.has_workflow_execution_timeout()) *i->mutable_workflow_execution_timeout() = a.workflow_execution_timeout();
  *i->mutable_workflow_run_timeout() = a.workflow_run_timeout();  // Temporal fills it in (0s: unlimited)
  if (a.has_priority()) *i->mutable_priority() = a.priority();
  *i->mutable_workflow_task_timeout() = FromProto(a.workflow_task_timeout()) > absl::ZeroDuration()
                                            ? a.workflow_task_timeout()
                                            : ToProto(kDefaultChildTaskTimeout);
  i->set_parent_close_policy(a.parent_close_policy() == enums::PARENT_CLOSE_POLICY_UNSPECIFIED
                                 ? enums::PARENT_CLOSE_POLICY_TERMINATE
                                 : a.parent_close_policy());
  i->set_control(a.control());
  i->set_workflow_task_completed_event_id(completed_id);
  i->set_workflow_id_reuse_policy(a.workflow_id_reuse_policy() == enums::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED
                                      ? enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
                                      : a.workflow_id_reuse_policy());
  if (a.has_retry_policy()) *i->mutable_retry_policy() = a.retry_policy();
  i->set_cron_schedule(a.cron_schedule());
  if (a.has_header()) *i->mutable_header() = a.header();
  if (a.has_memo()) *i->mutable_memo() = a.memo();
  if (a.search_attributes().indexed_fields_size() > 0) *i->mutable_search_attributes() = a.search_attributes();
  i->set_inherit_build_id(a.inherit_build_id());

  persistence::v1::ChildExecutionInfo& child = (*state.mutable_children())[event.event_id()];
  child.set_initiated_event_id(event.event_id());
  child.set_namespace_(namespace_name);
  child.set_workflow_id(a.workflow_id());
  *child.mutable_workflow_type() = a.workflow_type();
  child.set_parent_close_policy(i->parent_close_policy());
  TransferTask start = CrossRunTaskOf(state, TransferTask::START_CHILD, event.event_id(), random.NewUuid());
  if (state.has_root_execution()) {
    *start.mutable_root_execution() = state.root_execution();
  } else {
    start.mutable_root_execution()->set_workflow_id(state.workflow_id());
    start.mutable_root_execution()->set_run_id(state.run_id());
  }
  scope.AddTransferTask(std::move(start));
}

void InitiateExternalSignal(MutationScope& scope, Random& random, RunChange& run, int64_t completed_id,
                            const std::string& namespace_name,
                            const temporal::api::command::v1::SignalExternalWorkflowExecutionCommandAttributes& a) {
  HistoryEvent& event =
      AddEvent(run, scope.now(), enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  auto* i = event.mutable_signal_external_workflow_execution_initiated_event_attributes();
  i->set_workflow_task_completed_event_id(completed_id);
  i->set_namespace_(namespace_name);
  i->set_namespace_id(run.state.namespace_id());
  *i->mutable_workflow_execution() = a.execution();
  i->set_signal_name(a.signal_name());
  *i->mutable_input() = a.input();
  i->set_control(a.control());
  i->set_child_workflow_only(a.child_workflow_only());
  if (a.has_header()) *i->mutable_header() = a.header();
  TransferTask task = CrossRunTaskOf(run.state, TransferTask::SIGNAL_EXTERNAL, event.event_id(), random.NewUuid());
  task.set_target_workflow_id(a.execution().workflow_id());
  task.set_target_run_id(a.execution().run_id());
  scope.AddTransferTask(std::move(task));
}

void InitiateExternalCancel(
    MutationScope& scope, Random& random, RunChange& run, int64_t completed_id, const std::string& namespace_name,
    const temporal::api::command::v1::RequestCancelExternalWorkflowExecutionCommandAttributes& a) {
  HistoryEvent& event =
      AddEvent(run, scope.now(), enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  auto* i = event.mutable_request_cancel_external_workflow_execution_initiated_event_attributes();
  i->set_workflow_task_completed_event_id(completed_id);
  i->set_namespace_(namespace_name);
  i->set_namespace_id(run.state.namespace_id());
  i->mutable_workflow_execution()->set_workflow_id(a.workflow_id());
  i->mutable_workflow_execution()->set_run_id(a.run_id());
  i->set_control(a.control());
  i->set_child_workflow_only(a.child_workflow_only());
  i->set_reason(a.reason());
  TransferTask task = CrossRunTaskOf(run.state, TransferTask::CANCEL_EXTERNAL, event.event_id(), random.NewUuid());
  task.set_target_workflow_id(a.workflow_id());
  task.set_target_run_id(a.run_id());
  scope.AddTransferTask(std::move(task));
}

// Applies one Workflow Update message from the worker (validated).
void ApplyUpdateMessage(MutationScope& scope, RunChange& run, const temporal::api::protocol::v1::Message& message,
                        UpdateRegistry& registry, UpdateEffects& effects) {
  MutableState& state = run.state;
  const std::string& update_id = message.protocol_instance_id();
  if (temporal::api::update::v1::Acceptance acceptance; message.body().UnpackTo(&acceptance)) {
    if (state.updates().contains(update_id)) return;  // accepted before
    HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    auto* a = event.mutable_workflow_execution_update_accepted_event_attributes();
    a->set_protocol_instance_id(update_id);
    a->set_accepted_request_message_id(acceptance.accepted_request_message_id());
    a->set_accepted_request_sequencing_event_id(acceptance.accepted_request_sequencing_event_id());
    // The request as the client sent it (what replay needs).
    std::optional<UpdateRegistry::Request> original = registry.RequestOf(KeyOf(state), update_id);
    *a->mutable_accepted_request() = original ? *original : acceptance.accepted_request();
    (*state.mutable_updates())[update_id].set_accepted_event_id(event.event_id());
    effects.accepted.push_back(update_id);
  } else if (temporal::api::update::v1::Response response; message.body().UnpackTo(&response)) {
    auto record = state.mutable_updates()->find(update_id);
    if (record == state.mutable_updates()->end() || record->second.completed_event_id() != 0) return;
    HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
    auto* c = event.mutable_workflow_execution_update_completed_event_attributes();
    *c->mutable_meta() = response.meta();
    c->mutable_meta()->set_update_id(update_id);
    c->set_accepted_event_id(record->second.accepted_event_id());
    *c->mutable_outcome() = response.outcome();
    record->second.set_completed_event_id(event.event_id());
    effects.completed.emplace_back(update_id, response.outcome());
  } else if (temporal::api::update::v1::Rejection rejection; message.body().UnpackTo(&rejection)) {
    UpdateRegistry::Outcome outcome;
    *outcome.mutable_failure() = rejection.failure();
    effects.completed.emplace_back(update_id, std::move(outcome));
  }
}

bool OnlyRejections(const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  if (request.commands_size() > 0 || request.force_create_new_workflow_task()) return false;
  for (const auto& m : request.messages()) {
    if (!m.body().Is<temporal::api::update::v1::Rejection>()) return false;
  }
  return true;
}

void SetStickiness(MutableState& state, const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  // The worker keeps the run cached and polls its own queue for the next
  // task; without sticky attributes the next task goes to the normal queue.
  const auto& sticky = request.sticky_attributes();
  if (sticky.worker_task_queue().name().empty()) {
    ClearStickyTaskQueue(state);
  } else {
    auto* queue = state.mutable_sticky_task_queue();
    queue->set_name(sticky.worker_task_queue().name());
    queue->set_kind(enums::TASK_QUEUE_KIND_STICKY);
    queue->set_normal_name(state.task_queue().name());
    *state.mutable_sticky_schedule_to_start_timeout() = sticky.schedule_to_start_timeout();
  }
}

}  // namespace

CommandOutcome ApplyWorkflowTaskCompletion(MutationScope& scope, Random& random, RunChange& run,
                                           const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                           const std::string& namespace_name,
                                           const visibility::SearchAttributeTypes& search_attributes,
                                           UpdateRegistry& updates) {
  MutableState& state = run.state;
  CommandOutcome validated = ValidateCommands(state, request, namespace_name, search_attributes);
  if (!validated.reject.ok() || validated.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED) {
    return validated;
  }
  bool closes = request.commands_size() > 0 && IsCloseCommand(request.commands().rbegin()->command_type());
  if (closes && state.buffered_events_size() > 0) {
    // New events arrived while the worker decided to close: it must see them.
    CommandOutcome outcome;
    outcome.failed_cause = enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
    outcome.reply_message = "UnhandledCommand";
    outcome.failure = ServerFailure("UnhandledCommand");
    return outcome;
  }

  absl::Time now = scope.now();
  const int64_t started_event_id = state.workflow_task().started_event_id();
  CommandOutcome outcome;
  // Updates delivered with this task that the worker did not answer are
  // rejected for it (an SDK that does not know updates).
  auto reject_unanswered = [&] {
    // Not when the workflow just closed (its updates in flight fail with
    // it) nor on a heartbeat (the worker still works on them), as Temporal.
    if (!IsOpen(state) || request.force_create_new_workflow_task()) return;
    std::set<std::string> answered;
    for (const auto& m : request.messages()) answered.insert(m.protocol_instance_id());
    for (const std::string& id : updates.SentWith(KeyOf(state), started_event_id)) {
      if (answered.contains(id)) continue;
      UpdateRegistry::Outcome rejected;
      rejected.mutable_failure()->set_message(
          "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not "
          "supported by the worker.");
      rejected.mutable_failure()->set_source("Server");
      rejected.mutable_failure()->mutable_application_failure_info()->set_non_retryable(true);
      outcome.updates.completed.emplace_back(id, std::move(rejected));
    }
  };
  if (state.workflow_task().speculative() && state.workflow_task().attempt() == 1 && OnlyRejections(request)) {
    // Nothing to keep: the task leaves no trace, as if it never ran.
    for (const auto& m : request.messages()) ApplyUpdateMessage(scope, run, m, updates, outcome.updates);
    reject_unanswered();
    // The SDK rolls its cached run back to the last task it really
    // completed: the next task's events follow that one's started event.
    outcome.updates.reset_history_event_id = state.last_completed_wft_started_event_id();
    state.clear_workflow_task();
    SetStickiness(state, request);
    if (state.buffered_events_size() > 0) ScheduleWorkflowTask(scope, run);
    return outcome;
  }
  MaterializeSpeculativeTask(run);
  const auto& wft = state.workflow_task();
  HistoryEvent& completed = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  auto* c = completed.mutable_workflow_task_completed_event_attributes();
  c->set_scheduled_event_id(wft.scheduled_event_id());
  c->set_started_event_id(wft.started_event_id());
  c->set_identity(request.identity());
  if (request.has_sdk_metadata()) *c->mutable_sdk_metadata() = request.sdk_metadata();
  if (request.has_metering_metadata()) *c->mutable_metering_metadata() = request.metering_metadata();
  if (request.has_worker_version_stamp()) *c->mutable_worker_version() = request.worker_version_stamp();
  const int64_t completed_id = completed.event_id();
  state.set_last_completed_wft_started_event_id(wft.started_event_id());
  state.clear_workflow_task();
  SetStickiness(state, request);
  std::set<std::string> handled_messages;

  bool need_task = request.force_create_new_workflow_task();
  std::vector<std::pair<int64_t, int64_t>> canceled_before_start;  // scheduled, cancel requested
  for (const Command& command : request.commands()) {
    // The command's user metadata (a timer's summary, say) goes on the
    // event it makes, as Temporal keeps it.
    const size_t first_new_event = run.events.size();
    switch (command.command_type()) {
      case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const auto& a = command.schedule_activity_task_command_attributes();
        const int64_t scheduled_event_id = ScheduleActivity(scope, run, completed_id, a);
        if (a.request_eager_execution()) outcome.eager_activities.push_back(scheduled_event_id);
        break;
      }
      case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
        int64_t id = command.request_cancel_activity_task_command_attributes().scheduled_event_id();
        if (!state.activities().contains(id)) {
          // It named an event id the schedules of this task did not get.
          return Refused(absl::InvalidArgumentError(
              absl::StrCat("BadRequestCancelActivityAttributes: no pending activity ", id)));
        }
        HistoryEvent& requested = AddEvent(run, now, enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
        auto* r = requested.mutable_activity_task_cancel_requested_event_attributes();
        r->set_scheduled_event_id(id);
        r->set_workflow_task_completed_event_id(completed_id);
        persistence::v1::ActivityInfo& activity = (*state.mutable_activities())[id];
        activity.set_cancel_requested(true);
        activity.set_cancel_requested_event_id(requested.event_id());
        if (!activity.started()) {
          // Not running anywhere: canceled at once, and the workflow hears
          // of it. Its event follows the events of all the commands (as
          // Temporal writes it, and SDKs count on for the ids they expect).
          canceled_before_start.emplace_back(id, requested.event_id());
          state.mutable_activities()->erase(id);
          need_task = true;
        }
        break;
      }
      case enums::COMMAND_TYPE_START_TIMER: {
        const auto& a = command.start_timer_command_attributes();
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
        break;
      }
      case enums::COMMAND_TYPE_CANCEL_TIMER: {
        const std::string& id = command.cancel_timer_command_attributes().timer_id();
        HistoryEvent& canceled = AddEvent(run, now, enums::EVENT_TYPE_TIMER_CANCELED);
        auto* t = canceled.mutable_timer_canceled_event_attributes();
        t->set_timer_id(id);
        t->set_started_event_id(state.timers().at(id).started_event_id());
        t->set_workflow_task_completed_event_id(completed_id);
        t->set_identity(request.identity());
        state.mutable_timers()->erase(id);
        break;
      }
      case enums::COMMAND_TYPE_RECORD_MARKER: {
        const auto& a = command.record_marker_command_attributes();
        HistoryEvent& marker = AddEvent(run, now, enums::EVENT_TYPE_MARKER_RECORDED);
        auto* m = marker.mutable_marker_recorded_event_attributes();
        m->set_marker_name(a.marker_name());
        *m->mutable_details() = a.details();
        m->set_workflow_task_completed_event_id(completed_id);
        if (a.has_header()) *m->mutable_header() = a.header();
        if (a.has_failure()) *m->mutable_failure() = a.failure();
        break;
      }
      case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const auto& a = command.upsert_workflow_search_attributes_command_attributes();
        HistoryEvent& upsert = AddEvent(run, now, enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
        auto* u = upsert.mutable_upsert_workflow_search_attributes_event_attributes();
        u->set_workflow_task_completed_event_id(completed_id);
        *u->mutable_search_attributes() = a.search_attributes();
        // Validated above; this stamps each value's type into its metadata.
        (void)visibility::ValidateAndStamp(*u->mutable_search_attributes(), search_attributes);
        MergeSearchAttributes(state, u->search_attributes());
        break;
      }
      case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
        const auto& a = command.modify_workflow_properties_command_attributes();
        HistoryEvent& modified = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED);
        auto* m = modified.mutable_workflow_properties_modified_event_attributes();
        m->set_workflow_task_completed_event_id(completed_id);
        *m->mutable_upserted_memo() = a.upserted_memo();
        MergeMemo(state, a.upserted_memo());
        break;
      }
      case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
        if (absl::Status s = CompleteRunOrContinueCron(
                scope, random, run, completed_id,
                command.complete_workflow_execution_command_attributes().has_result()
                    ? &command.complete_workflow_execution_command_attributes().result()
                    : nullptr);
            !s.ok()) {
          return Refused(s);
        }
        break;
      case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
        if (absl::Status s = FailRunOrRetry(scope, random, run, completed_id,
                                            command.fail_workflow_execution_command_attributes().failure());
            !s.ok()) {
          return Refused(s);
        }
        break;
      case enums::COMMAND_TYPE_PROTOCOL_MESSAGE: {
        const std::string& id = command.protocol_message_command_attributes().message_id();
        for (const auto& m : request.messages()) {
          if (m.id() != id || !handled_messages.insert(id).second) continue;
          ApplyUpdateMessage(scope, run, m, updates, outcome.updates);
        }
        break;
      }
      case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        auto a = command.start_child_workflow_execution_command_attributes();
        (void)visibility::ValidateAndStamp(*a.mutable_search_attributes(), search_attributes);
        InitiateChild(scope, random, run, completed_id, namespace_name, std::move(a));
        break;
      }
      case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
        InitiateExternalSignal(scope, random, run, completed_id, namespace_name,
                               command.signal_external_workflow_execution_command_attributes());
        break;
      case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
        InitiateExternalCancel(scope, random, run, completed_id, namespace_name,
                               command.request_cancel_external_workflow_execution_command_attributes());
        break;
      case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
        auto a = command.continue_as_new_workflow_execution_command_attributes();
        // Validated above; this stamps each value's type into its metadata.
        (void)visibility::ValidateAndStamp(*a.mutable_search_attributes(), search_attributes);
        if (absl::Status s = ContinueAsNew(scope, random, run, completed_id, a); !s.ok()) return Refused(s);
        break;
      }
      case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: {
        HistoryEvent& done = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
        auto* d = done.mutable_workflow_execution_canceled_event_attributes();
        d->set_workflow_task_completed_event_id(completed_id);
        if (command.cancel_workflow_execution_command_attributes().has_details()) {
          *d->mutable_details() = command.cancel_workflow_execution_command_attributes().details();
        }
        CloseRun(scope, run, enums::WORKFLOW_EXECUTION_STATUS_CANCELED);
        break;
      }
      default:
        break;  // refused by ValidateCommands
    }
    if (command.has_user_metadata() && run.events.size() > first_new_event) {
      *run.events[first_new_event].mutable_user_metadata() = command.user_metadata();
    }
  }
  // Messages no command placed are applied after all commands.
  for (const auto& m : request.messages()) {
    if (handled_messages.insert(m.id()).second) ApplyUpdateMessage(scope, run, m, updates, outcome.updates);
  }
  reject_unanswered();
  if (IsOpen(state)) {
    for (const auto& [scheduled_event_id, requested_event_id] : canceled_before_start) {
      HistoryEvent& canceled = AddEvent(run, now, enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
      auto* a = canceled.mutable_activity_task_canceled_event_attributes();
      a->set_latest_cancel_requested_event_id(requested_event_id);
      a->set_scheduled_event_id(scheduled_event_id);
    }
  }
  if (IsOpen(state) && (need_task || state.buffered_events_size() > 0)) ScheduleWorkflowTask(scope, run);
  return outcome;
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

absl::Status FireTimer(MutationScope& scope, Random& random, RunChange& run, const TimerTask& task) {
  MutableState& state = run.state;
  if (!IsOpen(state)) return absl::OkStatus();
  absl::Time now = scope.now();
  switch (task.kind()) {
    case TimerTask::USER_TIMER: {
      auto it = state.timers().find(task.timer_id());
      if (it == state.timers().end() || it->second.started_event_id() != task.event_id()) return absl::OkStatus();
      HistoryEvent fired;
      fired.set_event_type(enums::EVENT_TYPE_TIMER_FIRED);
      fired.mutable_timer_fired_event_attributes()->set_timer_id(task.timer_id());
      fired.mutable_timer_fired_event_attributes()->set_started_event_id(task.event_id());
      state.mutable_timers()->erase(task.timer_id());
      AddExternalEvent(run, now, std::move(fired));
      ScheduleWorkflowTask(scope, run);
      return absl::OkStatus();
    }
    case TimerTask::WORKFLOW_TASK_TIMEOUT: {
      if (!state.has_workflow_task() || state.workflow_task().scheduled_event_id() != task.event_id() ||
          state.workflow_task().attempt() != task.attempt()) {
        return absl::OkStatus();
      }
      // Schedule-to-start: only a task still waiting on a sticky queue
      // (its worker is gone); start-to-close: only a started one.
      const bool started = state.workflow_task().started_event_id() != 0;
      const bool schedule_to_start = task.timeout_type() == enums::TIMEOUT_TYPE_SCHEDULE_TO_START;
      if (started == schedule_to_start) return absl::OkStatus();
      if (schedule_to_start && state.workflow_task().task_queue().kind() != enums::TASK_QUEUE_KIND_STICKY) {
        return absl::OkStatus();  // already moved to the normal queue
      }
      TimeOutWorkflowTask(scope, run,
                          schedule_to_start ? enums::TIMEOUT_TYPE_SCHEDULE_TO_START : enums::TIMEOUT_TYPE_START_TO_CLOSE);
      return absl::OkStatus();
    }
    case TimerTask::ACTIVITY_TIMEOUT: {
      auto it = state.mutable_activities()->find(task.event_id());
      if (it == state.mutable_activities()->end()) return absl::OkStatus();
      persistence::v1::ActivityInfo& activity = it->second;
      switch (task.timeout_type()) {
        case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE: {
          // An attempt that never started whose schedule-to-start ran out
          // too (it defaults to schedule-to-close) timed out waiting for a
          // worker: Temporal names that deadline first on a tie.
          const bool waited_out_start =
              !activity.started() &&
              FromProto(activity.current_attempt_scheduled_time()) +
                      FromProto(activity.scheduled().schedule_to_start_timeout()) <=
                  now;
          TimeOutActivity(scope, run, activity,
                          waited_out_start ? enums::TIMEOUT_TYPE_SCHEDULE_TO_START
                                           : enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
          return absl::OkStatus();
        }
        case enums::TIMEOUT_TYPE_SCHEDULE_TO_START:
          if (activity.attempt() == task.attempt() && !activity.started()) {
            TimeOutActivity(scope, run, activity, enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
          }
          return absl::OkStatus();
        case enums::TIMEOUT_TYPE_START_TO_CLOSE:
          if (activity.attempt() == task.attempt() && activity.started()) {
            TimeOutActivity(scope, run, activity, enums::TIMEOUT_TYPE_START_TO_CLOSE);
          }
          return absl::OkStatus();
        case enums::TIMEOUT_TYPE_HEARTBEAT: {
          if (activity.attempt() != task.attempt() || !activity.started()) return absl::OkStatus();
          absl::Time last = activity.has_last_heartbeat_time() ? FromProto(activity.last_heartbeat_time())
                                                               : FromProto(activity.started_time());
          absl::Time due = last + FromProto(activity.scheduled().heartbeat_timeout());
          if (due > now) {
            // A heartbeat came in since: wait for the next deadline.
            TimerTask again = task;
            *again.mutable_fire_time() = ToProto(due);
            scope.AddTimerTask(std::move(again));
            return absl::OkStatus();
          }
          TimeOutActivity(scope, run, activity, enums::TIMEOUT_TYPE_HEARTBEAT);
          return absl::OkStatus();
        }
        default:
          return absl::OkStatus();
      }
    }
    case TimerTask::ACTIVITY_RETRY: {
      auto it = state.activities().find(task.event_id());
      if (it == state.activities().end() || it->second.attempt() != task.attempt() || it->second.started() ||
          it->second.paused()) {
        return absl::OkStatus();  // a paused one waits for UnpauseActivity
      }
      TransferTask transfer = NewTransferTask(state, TransferTask::ACTIVITY_TASK);
      transfer.set_scheduled_event_id(task.event_id());
      *transfer.mutable_task_queue() = it->second.scheduled().task_queue();
      transfer.set_attempt(task.attempt());
      scope.AddTransferTask(std::move(transfer));
      return absl::OkStatus();
    }
    case TimerTask::WORKFLOW_RUN_TIMEOUT:
      return TimeOutRunOrRetry(scope, random, run);
    case TimerTask::WORKFLOW_BACKOFF:
      if (!state.awaiting_first_task_backoff()) return absl::OkStatus();
      state.set_awaiting_first_task_backoff(false);
      ScheduleWorkflowTask(scope, run);
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

}  // namespace zaman::history
