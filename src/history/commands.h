#pragma once

#include <string>

#include "common/random.h"
#include "history/shard.h"
#include "history/update_registry.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"
#include "visibility/search_attributes.h"

// What happens to a run when a worker completes a workflow task (its
// commands become events) and when the run's timers come due. Each function
// works inside one mutation and keeps the history invariants. They are
// defined in history/commands/, a file per concern: complete_workflow_task.cc,
// validate_commands.cc, activities.cc, activity_timeouts.cc, timers.cc,
// workflow_tasks.cc, children_and_external.cc, updates.cc.
namespace zaman::history {

namespace wsv1 = ::temporal::api::workflowservice::v1;

// What a completion did to Workflow Updates; the registry hears of it once
// the change is committed.
struct UpdateEffects {
  std::vector<std::string> accepted;
  std::vector<std::pair<std::string, UpdateRegistry::Outcome>> completed;  // rejections too
  // The speculative task held only rejections and left no trace: the
  // worker rolls back to this started event (of the last task completed).
  int64_t reset_history_event_id = 0;
};

struct CommandOutcome {
  // Set: the request is refused and nothing is written.
  absl::Status reject = absl::OkStatus();
  // Set: the workflow task is failed with this cause (written), and the
  // worker gets InvalidArgument(reply_message).
  temporal::api::enums::v1::WorkflowTaskFailedCause failed_cause =
      temporal::api::enums::v1::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
  temporal::api::failure::v1::Failure failure;
  std::string reply_message;
  UpdateEffects updates;
  // Activities scheduled with request_eager_execution (scheduled event
  // ids), for the completing worker to start at once.
  std::vector<int64_t> eager_activities;
};

// Writes WorkflowTaskCompleted and the events of the request's commands, in
// order; schedules the next workflow task when one is needed.
// `search_attributes`: the namespace's custom ones, which upserts must use.
// `updates`: the run's Workflow Updates in flight (the requests the worker
// answers; the ones it left unanswered are rejected).
CommandOutcome ApplyWorkflowTaskCompletion(MutationScope& scope, Random& random, RunChange& run,
                                           const wsv1::RespondWorkflowTaskCompletedRequest& request,
                                           const std::string& namespace_name,
                                           const visibility::SearchAttributeTypes& search_attributes,
                                           UpdateRegistry& updates);

// Fails (or times out) the started workflow task and schedules the next attempt.
void FailWorkflowTask(MutationScope& scope, RunChange& run, temporal::api::enums::v1::WorkflowTaskFailedCause cause,
                      const temporal::api::failure::v1::Failure* failure, const std::string& identity);
void TimeOutWorkflowTask(MutationScope& scope, RunChange& run, temporal::api::enums::v1::TimeoutType type);

// Ends an activity with `terminal` (Completed/Failed/TimedOut/Canceled):
// writes its deferred started event first, then the terminal one.
void FinishActivity(MutationScope& scope, RunChange& run, int64_t scheduled_event_id, HistoryEvent terminal);

// An attempt failed: retries per the policy, or ends the activity.
void RetryActivityOrFail(MutationScope& scope, RunChange& run, int64_t scheduled_event_id,
                         const temporal::api::failure::v1::Failure& failure, const std::string& identity);

// Hands a scheduled activity (attempt `activity.attempt()`) to matching and
// arms its schedule-to-start and schedule-to-close timers.
void DispatchActivity(MutationScope& scope, RunChange& run, persistence::v1::ActivityInfo& activity);

// Arms one of an activity attempt's timeouts, `after` from now (none when
// not positive).
void ArmActivityTimeout(MutationScope& scope, const MutableState& state, const persistence::v1::ActivityInfo& activity,
                        temporal::api::enums::v1::TimeoutType type, absl::Duration after);

// A durable timer came due. An error fails the mutation (the timer stays
// pending in the store and fires again after a restart).
absl::Status FireTimer(MutationScope& scope, Random& random, RunChange& run, const TimerTask& task);

}  // namespace zaman::history
