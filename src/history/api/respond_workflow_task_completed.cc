// RespondWorkflowTaskCompleted: the worker's commands become events
// (commands.h); the reply may carry the next workflow task and eager
// activities, started for the same worker instead of through matching.
#include "common/errors.h"
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

// Takes back the outbox task this mutation added to hand the run's task
// (of `kind`, scheduled as `scheduled_event_id`) to matching: it goes to the
// worker in the reply instead.
void DropDispatch(MutationScope& scope, const MutableState& state, TransferTask::Kind kind,
                  int64_t scheduled_event_id) {
  scope.DropTransferTasks([&](const TransferTask& task) {
    return task.kind() == kind && task.scheduled_event_id() == scheduled_event_id &&
           task.namespace_id() == state.namespace_id() && task.workflow_id() == state.workflow_id() &&
           task.run_id() == state.run_id();
  });
}

// The workflow task a completion made, started for the same worker and
// handed back in the reply instead of through matching (as Temporal does
// whenever return_new_workflow_task is set); nullopt if none was made.
std::optional<StartedWorkflowTask> StartNextTaskInline(MutationScope& scope, RunChange& run,
                                                       const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  const MutableState& state = run.state;
  if (!IsOpen(state) || !state.has_workflow_task() || state.workflow_task().started_event_id() != 0) {
    return std::nullopt;
  }
  DropDispatch(scope, state, TransferTask::WORKFLOW_TASK, state.workflow_task().scheduled_event_id());
  // The worker has the run cached: it gets the events since this completion.
  return StartWorkflowTask(scope, run, request.identity(), "request-from-RespondWorkflowTaskCompleted",
                           /*partial_history=*/true);
}

// The activities the worker asked to run itself (request_eager_execution),
// started for it instead of going through matching, as Temporal does while
// the run is open and the activity still pending.
std::vector<wsv1::PollActivityTaskQueueResponse> StartEagerActivities(MutationScope& scope, RunChange& run,
                                                                      const std::vector<int64_t>& scheduled_event_ids,
                                                                      const std::string& namespace_name,
                                                                      const std::string& identity) {
  std::vector<wsv1::PollActivityTaskQueueResponse> tasks;
  MutableState& state = run.state;
  if (!IsOpen(state)) return tasks;
  for (int64_t id : scheduled_event_ids) {
    auto it = state.mutable_activities()->find(id);
    if (it == state.mutable_activities()->end() || it->second.started()) continue;
    DropDispatch(scope, state, TransferTask::ACTIVITY_TASK, id);
    tasks.push_back(StartActivityTask(scope, state, it->second, namespace_name, identity, /*request_id=*/""));
  }
  return tasks;
}

}  // namespace

void HistoryEngine::RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                                 wsv1::RespondWorkflowTaskCompletedRequest request,
                                                 Done<wsv1::RespondWorkflowTaskCompletedResponse> done) {
  // A completion can be answered with an error that still commits (the
  // task is failed: UnhandledCommand, bad attributes).
  struct Completed {
    absl::Status reply = absl::OkStatus();
    UpdateEffects updates;
    RunKey run;
    std::optional<StartedWorkflowTask> next_task;  // return_new_workflow_task
    std::vector<wsv1::PollActivityTaskQueueResponse> eager_activities;
  };
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<Completed>(
          [this, token, request, ns](MutationScope& scope) -> absl::StatusOr<Completed> {
            absl::StatusOr<RunChange*> loaded = LoadForWorkflowTask(scope, token);
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            CommandOutcome outcome =
                ApplyWorkflowTaskCompletion(scope, random_, run, request, ns.name, *ns.search_attributes, updates_);
            Completed completed;
            completed.run = KeyOf(run.state);
            if (!outcome.reject.ok()) return outcome.reject;
            if (outcome.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED &&
                run.state.workflow_task().attempt() > 1 &&
                outcome.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND) {
              // A retry that keeps failing is dropped (nothing written): it
              // times out and is tried again, as Temporal does.
              return errors::InvalidArgument(outcome.reply_message);
            }
            if (outcome.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED) {
              FailWorkflowTask(scope, run, outcome.failed_cause, &outcome.failure, request.identity());
              completed.reply = errors::InvalidArgument(outcome.reply_message);
              return completed;
            }
            completed.updates = std::move(outcome.updates);
            completed.eager_activities = StartEagerActivities(scope, run, outcome.eager_activities, ns.name,
                                                              request.identity());
            // Updates that arrived while the worker held this task go out
            // on a task of their own.
            if (updates_.HasUnsent(completed.run)) ScheduleWorkflowTask(scope, run, /*speculative=*/true);
            if (request.return_new_workflow_task()) completed.next_task = StartNextTaskInline(scope, run, request);
            return completed;
          },
          [this, done = std::move(done)](absl::StatusOr<Completed> completed) {
            if (!completed.ok()) return done(completed.status());
            for (const std::string& id : completed->updates.accepted) updates_.Accepted(completed->run, id);
            for (const auto& [id, outcome] : completed->updates.completed) {
              updates_.Completed(completed->run, id, outcome);
            }
            if (!completed->reply.ok()) return done(completed->reply);
            wsv1::RespondWorkflowTaskCompletedResponse response;
            response.set_reset_history_event_id(completed->updates.reset_history_event_id);
            for (auto& task : completed->eager_activities) *response.add_activity_tasks() = std::move(task);
            if (!completed->next_task.has_value()) return done(std::move(response));
            SendWorkflowTask(*std::move(completed->next_task),
                             [response = std::move(response), done](
                                 absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> task) mutable {
                               // The task is started; a worker that does not get it
                               // here sees it time out and retried.
                               if (task.ok()) *response.mutable_workflow_task() = *std::move(task);
                               done(std::move(response));
                             });
          });
}

}  // namespace zaman::history
