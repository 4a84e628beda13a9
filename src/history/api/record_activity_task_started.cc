// RecordActivityTaskStarted: a worker's poll got an activity task; the
// attempt is marked started and the worker gets what it needs to run it. The
// same start serves activities handed straight to the worker that scheduled
// them (eager execution, in the reply to RespondWorkflowTaskCompleted).
#include "history/engine_internal.h"
#include "history/history_metrics.h"
#include "history/commands.h"
#include "history/workflow_run.h"

namespace zaman::history {

temporal::api::common::v1::Priority MergePriority(const temporal::api::common::v1::Priority& inherited,
                                                  const temporal::api::common::v1::Priority& own) {
  temporal::api::common::v1::Priority merged = inherited;
  if (own.priority_key() != 0) merged.set_priority_key(own.priority_key());
  if (!own.fairness_key().empty()) merged.set_fairness_key(own.fairness_key());
  if (own.fairness_weight() != 0) merged.set_fairness_weight(own.fairness_weight());
  return merged;
}

wsv1::PollActivityTaskQueueResponse StartActivityTask(MutationScope& scope, const MutableState& state,
                                                      persistence::v1::ActivityInfo& activity,
                                                      const std::string& namespace_name, const std::string& identity,
                                                      const std::string& request_id) {
  absl::Time now = scope.now();
  activity.set_started(true);
  *activity.mutable_started_time() = ToProto(now);
  activity.set_started_identity(identity);
  activity.set_started_request_id(request_id);
  const auto& scheduled = activity.scheduled();
  ArmActivityTimeout(scope, state, activity, enums::TIMEOUT_TYPE_START_TO_CLOSE,
                     FromProto(scheduled.start_to_close_timeout()));
  ArmActivityTimeout(scope, state, activity, enums::TIMEOUT_TYPE_HEARTBEAT, FromProto(scheduled.heartbeat_timeout()));

  wsv1::PollActivityTaskQueueResponse r;
  TaskToken token;
  token.set_namespace_id(state.namespace_id());
  token.set_workflow_id(state.workflow_id());
  token.set_run_id(state.run_id());
  token.set_scheduled_event_id(activity.scheduled_event_id());
  token.set_attempt(activity.attempt());
  token.set_is_activity(true);
  token.set_activity_id(scheduled.activity_id());
  r.set_task_token(EncodeToken(token));
  r.set_workflow_namespace(namespace_name);
  *r.mutable_workflow_type() = state.workflow_type();
  r.mutable_workflow_execution()->set_workflow_id(state.workflow_id());
  r.mutable_workflow_execution()->set_run_id(state.run_id());
  *r.mutable_activity_type() = scheduled.activity_type();
  r.set_activity_id(scheduled.activity_id());
  if (scheduled.has_header()) *r.mutable_header() = scheduled.header();
  if (scheduled.has_input()) *r.mutable_input() = scheduled.input();
  if (activity.has_heartbeat_details()) *r.mutable_heartbeat_details() = activity.heartbeat_details();
  *r.mutable_scheduled_time() = activity.first_scheduled_time();
  *r.mutable_current_attempt_scheduled_time() = activity.current_attempt_scheduled_time();
  *r.mutable_started_time() = activity.started_time();
  r.set_attempt(activity.attempt());
  *r.mutable_schedule_to_close_timeout() = scheduled.schedule_to_close_timeout();
  *r.mutable_start_to_close_timeout() = scheduled.start_to_close_timeout();
  *r.mutable_heartbeat_timeout() = scheduled.heartbeat_timeout();
  *r.mutable_retry_policy() = scheduled.retry_policy();
  temporal::api::common::v1::Priority priority = MergePriority(state.priority(), scheduled.priority());
  if (priority.ByteSizeLong() > 0) *r.mutable_priority() = std::move(priority);
  return r;
}

void HistoryEngine::RecordActivityTaskStarted(const NamespaceRef& ns, const TransferTask& task,
                                              std::string identity, std::string request_id,
                                              Done<wsv1::PollActivityTaskQueueResponse> done) {
  ShardOf(task.namespace_id(), task.workflow_id())
      .Execute<wsv1::PollActivityTaskQueueResponse>(
          [ns, task, identity, request_id](MutationScope& scope) -> absl::StatusOr<wsv1::PollActivityTaskQueueResponse> {
            scope.CompleteTransferTask(task.task_id());
            absl::StatusOr<RunChange*> loaded = scope.Load(task.namespace_id(), task.workflow_id(), task.run_id());
            if (!loaded.ok()) return ActivityTaskNotFound();
            MutableState& state = (*loaded)->state;
            auto it = state.mutable_activities()->find(task.scheduled_event_id());
            if (!IsOpen(state) || it == state.mutable_activities()->end() || it->second.started() ||
                it->second.attempt() != task.attempt() || it->second.paused()) {
              return ActivityTaskNotFound();
            }
            return StartActivityTask(scope, state, it->second, ns.name, identity, request_id);
          },
          Counted(HistoryOperation::kRecordActivityTaskStarted, ns.name, std::move(done)));
}

}  // namespace zaman::history
