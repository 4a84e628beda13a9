// RespondActivityTaskCompleted / Failed / Canceled (and their ById forms,
// through ActivityTokenById): how an activity attempt ended.
#include "common/errors.h"
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

absl::StatusOr<TaskToken> HistoryEngine::ActivityTokenById(const std::string& namespace_id,
                                                           const std::string& workflow_id,
                                                           const std::string& run_id,
                                                           const std::string& activity_id) {
  absl::StatusOr<std::string> resolved = ResolveRunId(namespace_id, workflow_id, run_id);
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(namespace_id, workflow_id, *resolved);
  if (!record.ok()) return record.status();
  for (const auto& [scheduled_id, activity] : record->state.activities()) {
    if (activity.scheduled().activity_id() != activity_id) continue;
    TaskToken token;
    token.set_namespace_id(namespace_id);
    token.set_workflow_id(workflow_id);
    token.set_run_id(*resolved);
    token.set_scheduled_event_id(scheduled_id);
    token.set_attempt(activity.attempt());
    token.set_is_activity(true);
    token.set_activity_id(activity_id);
    return token;
  }
  return ActivityTaskNotFound();
}

void HistoryEngine::RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done) {
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<bool>(
          [token, outcome](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> loaded = scope.Load(token.namespace_id(), token.workflow_id(), token.run_id());
            if (!loaded.ok()) return ActivityTaskNotFound();
            RunChange& run = **loaded;
            MutableState& state = run.state;
            auto it = state.mutable_activities()->find(token.scheduled_event_id());
            if (!IsOpen(state) || it == state.mutable_activities()->end() || !it->second.started() ||
                it->second.attempt() != token.attempt()) {
              return ActivityTaskNotFound();
            }
            persistence::v1::ActivityInfo& activity = it->second;
            switch (outcome.kind) {
              case ActivityOutcome::kCompleted: {
                HistoryEvent event;
                event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
                auto* attrs = event.mutable_activity_task_completed_event_attributes();
                *attrs->mutable_result() = outcome.result;
                attrs->set_scheduled_event_id(activity.scheduled_event_id());
                attrs->set_identity(outcome.identity);
                FinishActivity(scope, run, activity.scheduled_event_id(), std::move(event));
                return true;
              }
              case ActivityOutcome::kFailed: {
                if (outcome.details.payloads_size() > 0) *activity.mutable_heartbeat_details() = outcome.details;
                RetryActivityOrFail(scope, run, activity.scheduled_event_id(), outcome.failure, outcome.identity);
                return true;
              }
              case ActivityOutcome::kCanceled: {
                if (!activity.cancel_requested()) {
                  return errors::InvalidArgument(
                      "unable to mark activity as canceled without activity being request canceled first");
                }
                HistoryEvent event;
                event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
                auto* attrs = event.mutable_activity_task_canceled_event_attributes();
                if (outcome.details.payloads_size() > 0) *attrs->mutable_details() = outcome.details;
                attrs->set_latest_cancel_requested_event_id(activity.cancel_requested_event_id());
                attrs->set_scheduled_event_id(activity.scheduled_event_id());
                attrs->set_identity(outcome.identity);
                FinishActivity(scope, run, activity.scheduled_event_id(), std::move(event));
                return true;
              }
            }
            return errors::Internal("unknown activity outcome");
          },
          std::move(done));
}

}  // namespace zaman::history
