#pragma once

// Private to history/commands/: what its files share. A workflow task
// completion (complete_workflow_task.cc) checks every command first
// (validate_commands.cc), then applies each with the function of its
// command family, declared here under the file that defines it. Each runs
// inside one mutation of the run's shard, as the functions of commands.h.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/random.h"
#include "history/commands.h"
#include "history/workflow_run.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/protocol/v1/message.pb.h"

namespace zaman::history {

// validate_commands.cc

// Complete, Fail, Cancel and ContinueAsNew: the run closes, so the command
// must be the task's last.
bool IsCloseCommand(enums::CommandType type);

// The whole completion is refused: nothing is written, the worker gets `status`.
CommandOutcome Refused(absl::Status status);

// The workflow task is failed with `cause`; the worker hears
// "short_name: detail" (just `short_name` when there is no detail).
CommandOutcome FailTask(enums::WorkflowTaskFailedCause cause, const std::string& short_name,
                        const std::string& detail);

// Checks every command and message before any is applied, so a bad one
// writes nothing but the workflow task's failure: the outcome to end the
// completion with, or nullopt when all are valid.
std::optional<CommandOutcome> ValidateCommands(const MutableState& state,
                                               const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                               const std::string& namespace_name,
                                               const visibility::SearchAttributeTypes& search_attributes);

// activity_timeouts.cc

// Activity timeouts as Temporal fills them in (architecture notes, §5.2).
struct ActivityTimeouts {
  absl::Duration schedule_to_close, schedule_to_start, start_to_close, heartbeat;
};
// nullopt: a timeout is negative, or neither start-to-close nor
// schedule-to-close is set.
std::optional<ActivityTimeouts> NormalizeTimeouts(
    const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& a, absl::Duration run_timeout);

// An activity timeout came due at `now` (FireTimer's ACTIVITY_TIMEOUT); a
// stale one does nothing.
void FireActivityTimeout(MutationScope& scope, RunChange& run, const TimerTask& task, absl::Time now);

// activities.cc

// ActivityTaskScheduled, and the first attempt dispatched; returns the
// activity's scheduled event id.
int64_t ScheduleActivity(MutationScope& scope, RunChange& run, int64_t completed_id,
                         const temporal::api::command::v1::ScheduleActivityTaskCommandAttributes& a);

// An activity whose cancel was requested before any worker started it:
// its ActivityTaskCanceled follows the events of all the task's commands.
struct ActivityCanceledBeforeStart {
  int64_t scheduled_event_id = 0;
  int64_t cancel_requested_event_id = 0;
};

// ActivityTaskCancelRequested for the pending activity; one not started is
// canceled at once (added to `canceled_before_start`). InvalidArgument if
// there is no such activity.
absl::Status RequestCancelActivity(RunChange& run, absl::Time now, int64_t completed_id, int64_t scheduled_event_id,
                                   std::vector<ActivityCanceledBeforeStart>& canceled_before_start);

// Their ActivityTaskCanceled events, in order.
void WriteActivitiesCanceledBeforeStart(RunChange& run, absl::Time now,
                                        const std::vector<ActivityCanceledBeforeStart>& canceled_before_start);

// An activity's retry is due (FireTimer's ACTIVITY_RETRY): the attempt is
// handed to matching, unless the timer is stale or the activity paused.
void FireActivityRetry(MutationScope& scope, RunChange& run, const TimerTask& task);

// workflow_tasks.cc

// The queue of the run's next workflow task: the worker's sticky one if
// the request names it, else the normal one.
void SetStickiness(MutableState& state, const wsv1::RespondWorkflowTaskCompletedRequest& request);

// A workflow task timer came due (FireTimer's WORKFLOW_TASK_TIMEOUT); a
// stale one does nothing.
void FireWorkflowTaskTimeout(MutationScope& scope, RunChange& run, const TimerTask& task);

// timers.cc

// TimerStarted and its durable timer task.
void StartTimer(MutationScope& scope, RunChange& run, absl::Time now, int64_t completed_id,
                const temporal::api::command::v1::StartTimerCommandAttributes& a);
// TimerCanceled for the pending timer `timer_id`.
void CancelTimer(RunChange& run, absl::Time now, int64_t completed_id, const std::string& timer_id,
                 const std::string& identity);

// children_and_external.cc

// StartChildWorkflowExecutionInitiated (`a` validated, its search
// attributes stamped) and the task that starts the child.
void InitiateChild(MutationScope& scope, Random& random, RunChange& run, int64_t completed_id,
                   const std::string& namespace_name,
                   temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes a);
// SignalExternalWorkflowExecutionInitiated and the task that signals the target.
void InitiateExternalSignal(MutationScope& scope, Random& random, RunChange& run, int64_t completed_id,
                            const std::string& namespace_name,
                            const temporal::api::command::v1::SignalExternalWorkflowExecutionCommandAttributes& a);
// RequestCancelExternalWorkflowExecutionInitiated and the task that asks the target.
void InitiateExternalCancel(
    MutationScope& scope, Random& random, RunChange& run, int64_t completed_id, const std::string& namespace_name,
    const temporal::api::command::v1::RequestCancelExternalWorkflowExecutionCommandAttributes& a);

// updates.cc

// Applies one Workflow Update message from the worker (validated).
void ApplyUpdateMessage(MutationScope& scope, RunChange& run, const temporal::api::protocol::v1::Message& message,
                        UpdateRegistry& registry, UpdateEffects& effects);

// The messages a ProtocolMessage command places (those with `message_id`),
// each once (`handled` holds the ids applied so far).
void ApplyPlacedMessages(MutationScope& scope, RunChange& run, const wsv1::RespondWorkflowTaskCompletedRequest& request,
                         const std::string& message_id, std::set<std::string>& handled, UpdateRegistry& registry,
                         UpdateEffects& effects);
// The messages no command placed, applied after all commands.
void ApplyUnplacedMessages(MutationScope& scope, RunChange& run,
                           const wsv1::RespondWorkflowTaskCompletedRequest& request, std::set<std::string>& handled,
                           UpdateRegistry& registry, UpdateEffects& effects);

// The request holds nothing but update rejections.
bool OnlyRejections(const wsv1::RespondWorkflowTaskCompletedRequest& request);

// Updates delivered with the task (started at `started_event_id`) that the
// worker did not answer are rejected for it (an SDK that does not know updates).
void RejectUnansweredUpdates(const MutableState& state, const wsv1::RespondWorkflowTaskCompletedRequest& request,
                             int64_t started_event_id, UpdateRegistry& registry, UpdateEffects& effects);

}  // namespace zaman::history
