// ApplyWorkflowTaskCompletion: a worker completed a workflow task. Its
// commands are checked (validate_commands.cc), WorkflowTaskCompleted is
// written, and each command becomes its events, in order, through the code
// of its command family; the commands that only change the run itself
// (markers, search attributes, memo, closing it) are applied here.

#include "history/commands/commands_internal.h"
#include "history/run_chain.h"

namespace zaman::history {
namespace {

using temporal::api::command::v1::Command;

// One completion while its commands are applied: what their events need,
// and what they add up to.
struct TaskCompletion {
  MutationScope& scope;
  Random& random;
  RunChange& run;
  const wsv1::RespondWorkflowTaskCompletedRequest& request;
  const std::string& namespace_name;
  const visibility::SearchAttributeTypes& search_attributes;
  UpdateRegistry& updates;
  const absl::Time now;
  const int64_t completed_id;  // WorkflowTaskCompleted's event id
  CommandOutcome outcome = {};
  std::set<std::string> handled_messages = {};
  std::vector<ActivityCanceledBeforeStart> canceled_before_start = {};
};

// A speculative task (first attempt) that held only update rejections: it
// leaves no trace, as if it never ran.
CommandOutcome DiscardRejectionOnlyTask(MutationScope& scope, RunChange& run,
                                        const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                        UpdateRegistry& updates, int64_t started_event_id) {
  MutableState& state = run.state;
  CommandOutcome outcome;
  for (const auto& m : request.messages()) ApplyUpdateMessage(scope, run, m, updates, outcome.updates);
  RejectUnansweredUpdates(state, request, started_event_id, updates, outcome.updates);
  // The SDK rolls its cached run back to the last task it really
  // completed: the next task's events follow that one's started event.
  outcome.updates.reset_history_event_id = state.last_completed_wft_started_event_id();
  state.clear_workflow_task();
  SetStickiness(state, request);
  if (state.buffered_events_size() > 0) ScheduleWorkflowTask(scope, run);
  return outcome;
}

// Writes WorkflowTaskCompleted and ends the task; returns the event's id.
int64_t CompleteWorkflowTask(RunChange& run, absl::Time now,
                             const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  MutableState& state = run.state;
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
  return completed_id;
}

void RecordMarker(TaskCompletion& c, const temporal::api::command::v1::RecordMarkerCommandAttributes& a) {
  HistoryEvent& marker = AddEvent(c.run, c.now, enums::EVENT_TYPE_MARKER_RECORDED);
  auto* m = marker.mutable_marker_recorded_event_attributes();
  m->set_marker_name(a.marker_name());
  *m->mutable_details() = a.details();
  m->set_workflow_task_completed_event_id(c.completed_id);
  if (a.has_header()) *m->mutable_header() = a.header();
  if (a.has_failure()) *m->mutable_failure() = a.failure();
}

void UpsertSearchAttributes(TaskCompletion& c,
                            const temporal::api::command::v1::UpsertWorkflowSearchAttributesCommandAttributes& a) {
  HistoryEvent& upsert = AddEvent(c.run, c.now, enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
  auto* u = upsert.mutable_upsert_workflow_search_attributes_event_attributes();
  u->set_workflow_task_completed_event_id(c.completed_id);
  *u->mutable_search_attributes() = a.search_attributes();
  // Validated above; this stamps each value's type into its metadata.
  (void)visibility::ValidateAndStamp(*u->mutable_search_attributes(), c.search_attributes);
  MergeSearchAttributes(c.run.state, u->search_attributes());
}

void ModifyWorkflowProperties(TaskCompletion& c,
                              const temporal::api::command::v1::ModifyWorkflowPropertiesCommandAttributes& a) {
  HistoryEvent& modified = AddEvent(c.run, c.now, enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED);
  auto* m = modified.mutable_workflow_properties_modified_event_attributes();
  m->set_workflow_task_completed_event_id(c.completed_id);
  *m->mutable_upserted_memo() = a.upserted_memo();
  MergeMemo(c.run.state, a.upserted_memo());
}

absl::Status ContinueAsNewWorkflow(TaskCompletion& c,
                                   temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes a) {
  // Validated above; this stamps each value's type into its metadata.
  (void)visibility::ValidateAndStamp(*a.mutable_search_attributes(), c.search_attributes);
  return ContinueAsNew(c.scope, c.random, c.run, c.completed_id, a);
}

void CancelWorkflow(TaskCompletion& c, const temporal::api::command::v1::CancelWorkflowExecutionCommandAttributes& a) {
  HistoryEvent& done = AddEvent(c.run, c.now, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
  auto* d = done.mutable_workflow_execution_canceled_event_attributes();
  d->set_workflow_task_completed_event_id(c.completed_id);
  if (a.has_details()) *d->mutable_details() = a.details();
  CloseRun(c.scope, c.run, enums::WORKFLOW_EXECUTION_STATUS_CANCELED);
}

void StartChild(TaskCompletion& c, temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes a) {
  (void)visibility::ValidateAndStamp(*a.mutable_search_attributes(), c.search_attributes);
  InitiateChild(c.scope, c.random, c.run, c.completed_id, c.namespace_name, std::move(a));
}

// Writes the command's events; an error refuses the whole completion.
absl::Status ApplyCommand(TaskCompletion& c, const Command& command) {
  switch (command.command_type()) {
    case enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
      const auto& a = command.schedule_activity_task_command_attributes();
      const int64_t scheduled_event_id = ScheduleActivity(c.scope, c.run, c.completed_id, a);
      if (a.request_eager_execution()) c.outcome.eager_activities.push_back(scheduled_event_id);
      return absl::OkStatus();
    }
    case enums::COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
      return RequestCancelActivity(c.run, c.now, c.completed_id,
                                   command.request_cancel_activity_task_command_attributes().scheduled_event_id(),
                                   c.canceled_before_start);
    case enums::COMMAND_TYPE_START_TIMER:
      StartTimer(c.scope, c.run, c.now, c.completed_id, command.start_timer_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_CANCEL_TIMER:
      CancelTimer(c.run, c.now, c.completed_id, command.cancel_timer_command_attributes().timer_id(),
                  c.request.identity());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_RECORD_MARKER:
      RecordMarker(c, command.record_marker_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      UpsertSearchAttributes(c, command.upsert_workflow_search_attributes_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
      ModifyWorkflowProperties(c, command.modify_workflow_properties_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: {
      const auto& a = command.complete_workflow_execution_command_attributes();
      return CompleteRunOrContinueCron(c.scope, c.random, c.run, c.completed_id, a.has_result() ? &a.result() : nullptr);
    }
    case enums::COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      return FailRunOrRetry(c.scope, c.random, c.run, c.completed_id,
                            command.fail_workflow_execution_command_attributes().failure());
    case enums::COMMAND_TYPE_PROTOCOL_MESSAGE:
      ApplyPlacedMessages(c.scope, c.run, c.request, command.protocol_message_command_attributes().message_id(),
                          c.handled_messages, c.updates, c.outcome.updates);
      return absl::OkStatus();
    case enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      StartChild(c, command.start_child_workflow_execution_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      InitiateExternalSignal(c.scope, c.random, c.run, c.completed_id, c.namespace_name,
                             command.signal_external_workflow_execution_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
      InitiateExternalCancel(c.scope, c.random, c.run, c.completed_id, c.namespace_name,
                             command.request_cancel_external_workflow_execution_command_attributes());
      return absl::OkStatus();
    case enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return ContinueAsNewWorkflow(c, command.continue_as_new_workflow_execution_command_attributes());
    case enums::COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      CancelWorkflow(c, command.cancel_workflow_execution_command_attributes());
      return absl::OkStatus();
    default:
      return absl::OkStatus();  // refused by ValidateCommands
  }
}

}  // namespace

CommandOutcome ApplyWorkflowTaskCompletion(MutationScope& scope, Random& random, RunChange& run,
                                           const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                           const std::string& namespace_name,
                                           const visibility::SearchAttributeTypes& search_attributes,
                                           UpdateRegistry& updates) {
  MutableState& state = run.state;
  if (std::optional<CommandOutcome> invalid = ValidateCommands(state, request, namespace_name, search_attributes)) {
    return *std::move(invalid);
  }
  bool closes = request.commands_size() > 0 && IsCloseCommand(request.commands().rbegin()->command_type());
  if (closes && state.buffered_events_size() > 0) {
    // New events arrived while the worker decided to close: it must see them.
    return FailTask(enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, "UnhandledCommand", "");
  }

  absl::Time now = scope.now();
  const int64_t started_event_id = state.workflow_task().started_event_id();
  if (state.workflow_task().speculative() && state.workflow_task().attempt() == 1 && OnlyRejections(request)) {
    return DiscardRejectionOnlyTask(scope, run, request, updates, started_event_id);
  }
  MaterializeSpeculativeTask(run);
  TaskCompletion c{.scope = scope,
                   .random = random,
                   .run = run,
                   .request = request,
                   .namespace_name = namespace_name,
                   .search_attributes = search_attributes,
                   .updates = updates,
                   .now = now,
                   .completed_id = CompleteWorkflowTask(run, now, request)};
  for (const Command& command : request.commands()) {
    // The command's user metadata (a timer's summary, say) goes on the
    // event it makes, as Temporal keeps it.
    const size_t first_new_event = run.events.size();
    if (absl::Status s = ApplyCommand(c, command); !s.ok()) return Refused(s);
    if (command.has_user_metadata() && run.events.size() > first_new_event) {
      *run.events[first_new_event].mutable_user_metadata() = command.user_metadata();
    }
  }
  ApplyUnplacedMessages(scope, run, request, c.handled_messages, updates, c.outcome.updates);
  RejectUnansweredUpdates(state, request, started_event_id, updates, c.outcome.updates);
  if (IsOpen(state)) WriteActivitiesCanceledBeforeStart(run, now, c.canceled_before_start);
  // A cancel that ended an activity at once is news the workflow hears of.
  const bool need_task = request.force_create_new_workflow_task() || !c.canceled_before_start.empty();
  if (IsOpen(state) && (need_task || state.buffered_events_size() > 0)) ScheduleWorkflowTask(scope, run);
  return std::move(c.outcome);
}

}  // namespace zaman::history
