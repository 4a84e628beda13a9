// The checks a workflow task completion's commands and messages pass before
// any is applied: one function per command, called in order from
// ValidateCommands.

#include <set>

#include "absl/strings/str_cat.h"
#include "history/commands/commands_internal.h"
#include "history/cron.h"
#include "temporal/api/update/v1/message.pb.h"

namespace zaman::history {
namespace {

using temporal::api::command::v1::Command;
using temporal::api::failure::v1::Failure;
constexpr size_t kMaxIdLength = 1000;

Failure ServerFailure(const std::string& message) {
  Failure failure;
  failure.set_message(message);
  failure.set_source("Server");
  failure.mutable_server_failure_info()->set_non_retryable(false);
  return failure;
}

// The activity and timer ids the run's pending ones hold and the commands
// checked so far claim: a new one must not be among them.
struct ClaimedIds {
  std::set<std::string> activity_ids;
  std::set<std::string> timer_ids;
  bool activity_scheduled = false;  // by a command of this task
};

ClaimedIds ClaimedIdsOf(const MutableState& state) {
  ClaimedIds claimed;
  for (const auto& [id, activity] : state.activities()) claimed.activity_ids.insert(activity.scheduled().activity_id());
  for (const auto& [id, timer] : state.timers()) claimed.timer_ids.insert(id);
  return claimed;
}

// Children and external targets live in the run's own namespace (Temporal
// turns cross-namespace commands off by default).
bool SameNamespace(const std::string& named, const std::string& namespace_name) {
  return named.empty() || named == namespace_name;
}

// Why `schedule` does not parse, if it is set and does not.
std::optional<std::string> CronScheduleError(const std::string& schedule) {
  if (schedule.empty()) return std::nullopt;
  absl::StatusOr<CronSchedule> cron = CronSchedule::Parse(schedule);
  if (cron.ok()) return std::nullopt;
  return std::string(cron.status().message());
}

// `attributes` is a copy: validating stamps each value's type into it.
std::optional<CommandOutcome> CheckSearchAttributes(temporal::api::common::v1::SearchAttributes attributes,
                                                    const visibility::SearchAttributeTypes& search_attributes) {
  if (absl::Status s = visibility::ValidateAndStamp(attributes, search_attributes); !s.ok()) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "BadSearchAttributes",
                    std::string(s.message()));
  }
  return std::nullopt;
}

// Activities.

std::optional<CommandOutcome> CheckScheduleActivity(
    const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& a, const MutableState& state,
    ClaimedIds& claimed) {
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
  if (!claimed.activity_ids.insert(a.activity_id()).second) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID, "ScheduleActivityDuplicateId",
                    absl::StrCat("ActivityId ", a.activity_id()));
  }
  claimed.activity_scheduled = true;
  return std::nullopt;
}

std::optional<CommandOutcome> CheckRequestCancelActivity(int64_t scheduled_event_id, const MutableState& state,
                                                         const ClaimedIds& claimed) {
  // An SDK may cancel an activity it schedules in the same task, naming
  // the event id the schedule is about to get (checked when applied).
  const bool scheduled_just_before = claimed.activity_scheduled && scheduled_event_id >= state.next_event_id();
  if (!state.activities().contains(scheduled_event_id) && !scheduled_just_before) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
                    "BadRequestCancelActivityAttributes", absl::StrCat("no pending activity ", scheduled_event_id));
  }
  return std::nullopt;
}

// Timers.

std::optional<CommandOutcome> CheckStartTimer(const temporal::api::command::v1::StartTimerCommandAttributes& a,
                                              ClaimedIds& claimed) {
  if (a.timer_id().empty() || a.timer_id().size() > kMaxIdLength ||
      FromProto(a.start_to_fire_timeout()) < absl::ZeroDuration()) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, "BadStartTimerAttributes",
                    "TimerId or StartToFireTimeout is not valid.");
  }
  if (!claimed.timer_ids.insert(a.timer_id()).second) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID, "StartTimerDuplicateId",
                    absl::StrCat("TimerId ", a.timer_id()));
  }
  return std::nullopt;
}

std::optional<CommandOutcome> CheckCancelTimer(const std::string& timer_id, ClaimedIds& claimed) {
  if (claimed.timer_ids.erase(timer_id) == 0) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, "BadCancelTimerAttributes",
                    absl::StrCat("TimerId ", timer_id, " is not pending"));
  }
  return std::nullopt;
}

// Closing the run.

std::optional<CommandOutcome> CheckFailWorkflow(
    const temporal::api::command::v1::FailWorkflowExecutionCommandAttributes& a) {
  if (!a.has_failure()) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
                    "BadFailWorkflowExecutionAttributes", "Failure is not set.");
  }
  return std::nullopt;
}

std::optional<CommandOutcome> CheckContinueAsNew(
    const temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes& a,
    const visibility::SearchAttributeTypes& search_attributes) {
  if (std::optional<CommandOutcome> bad = CheckSearchAttributes(a.search_attributes(), search_attributes)) return bad;
  if (FromProto(a.workflow_run_timeout()) < absl::ZeroDuration() ||
      FromProto(a.workflow_task_timeout()) < absl::ZeroDuration() ||
      FromProto(a.backoff_start_interval()) < absl::ZeroDuration()) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, "BadContinueAsNewAttributes",
                    "A timeout or the backoff start interval is negative.");
  }
  if (std::optional<std::string> why = CronScheduleError(a.cron_schedule())) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, "BadContinueAsNewAttributes",
                    *why);
  }
  return std::nullopt;
}

// Children and other workflows.

std::optional<CommandOutcome> CheckStartChild(
    const temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes& a,
    const std::string& namespace_name, const visibility::SearchAttributeTypes& search_attributes) {
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
  if (std::optional<std::string> why = CronScheduleError(a.cron_schedule())) return fail(*why);
  return CheckSearchAttributes(a.search_attributes(), search_attributes);
}

std::optional<CommandOutcome> CheckSignalExternal(
    const temporal::api::command::v1::SignalExternalWorkflowExecutionCommandAttributes& a,
    const std::string& namespace_name) {
  if (!SameNamespace(a.namespace_(), namespace_name) || a.execution().workflow_id().empty() ||
      a.signal_name().empty()) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
                    "BadSignalWorkflowExecutionAttributes",
                    "WorkflowId or SignalName is not set, or the namespace is another one.");
  }
  return std::nullopt;
}

std::optional<CommandOutcome> CheckRequestCancelExternal(
    const temporal::api::command::v1::RequestCancelExternalWorkflowExecutionCommandAttributes& a,
    const std::string& namespace_name) {
  if (!SameNamespace(a.namespace_(), namespace_name) || a.workflow_id().empty()) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
                    "BadRequestCancelExternalWorkflowExecutionAttributes",
                    "WorkflowId is not set, or the namespace is another one.");
  }
  return std::nullopt;
}

// Workflow Update protocol messages.

std::optional<CommandOutcome> CheckProtocolMessageCommand(const std::string& message_id,
                                                          const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  bool found = false;
  for (const auto& m : request.messages()) found = found || m.id() == message_id;
  if (!found) {
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
                    "BadUpdateWorkflowExecutionMessage", absl::StrCat("no message with id ", message_id));
  }
  return std::nullopt;
}

// The messages must answer updates this run has.
std::optional<CommandOutcome> CheckUpdateMessages(const MutableState& state,
                                                  const wsv1::RespondWorkflowTaskCompletedRequest& request) {
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
  return std::nullopt;
}

std::optional<CommandOutcome> CheckCommand(const Command& command, const MutableState& state,
                                           const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                           const std::string& namespace_name,
                                           const visibility::SearchAttributeTypes& search_attributes,
                                           ClaimedIds& claimed) {
  switch (command.command_type()) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      return CheckScheduleActivity(command.schedule_activity_task_command_attributes(), state, claimed);
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      return CheckRequestCancelActivity(
          command.request_cancel_activity_task_command_attributes().scheduled_event_id(), state, claimed);
    case enums::COMMAND_TYPE_START_TIMER:
      return CheckStartTimer(command.start_timer_command_attributes(), claimed);
    case enums::COMMAND_TYPE_CANCEL_TIMER:
      return CheckCancelTimer(command.cancel_timer_command_attributes().timer_id(), claimed);
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return CheckFailWorkflow(command.fail_workflow_execution_command_attributes());
    case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return CheckSearchAttributes(command.upsert_workflow_search_attributes_command_attributes().search_attributes(),
                                   search_attributes);
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return CheckContinueAsNew(command.continue_as_new_workflow_execution_command_attributes(), search_attributes);
    case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      return CheckStartChild(command.start_child_workflow_execution_command_attributes(), namespace_name,
                             search_attributes);
    case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      return CheckSignalExternal(command.signal_external_workflow_execution_command_attributes(), namespace_name);
    case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      return CheckRequestCancelExternal(command.request_cancel_external_workflow_execution_command_attributes(),
                                        namespace_name);
    case enums::COMMAND_TYPE_PROTOCOL_MESSAGE:
      return CheckProtocolMessageCommand(command.protocol_message_command_attributes().message_id(), request);
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
    case enums::COMMAND_TYPE_RECORD_MARKER:
    case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      return std::nullopt;
    default:
      return Refused(absl::UnimplementedError(absl::StrCat(
          "command ", enums::CommandType_Name(command.command_type()), " is not implemented by this server yet")));
  }
}

}  // namespace

bool IsCloseCommand(enums::CommandType type) {
  return type == enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION ||
         type == enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION;
}

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

std::optional<CommandOutcome> ValidateCommands(const MutableState& state,
                                               const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                               const std::string& namespace_name,
                                               const visibility::SearchAttributeTypes& search_attributes) {
  ClaimedIds claimed = ClaimedIdsOf(state);
  const int n = request.commands_size();
  for (int i = 0; i < n; ++i) {
    const Command& command = request.commands(i);
    if (IsCloseCommand(command.command_type()) && i != n - 1) {
      return Refused(absl::InvalidArgumentError(absl::StrCat(
          "invalid command sequence: ", enums::CommandType_Name(command.command_type()), " must be the last command")));
    }
    if (std::optional<CommandOutcome> invalid =
            CheckCommand(command, state, request, namespace_name, search_attributes, claimed)) {
      return invalid;
    }
  }
  return CheckUpdateMessages(state, request);
}

}  // namespace zaman::history
