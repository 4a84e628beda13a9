// ResetWorkflowExecution: a new run of the workflow id whose history is the
// old run's up to a workflow task, then that task failed with cause
// RESET_WORKFLOW, then the signals and updates the old run received after
// that point (unless the request says not to reapply them), then a new
// workflow task.
// The old run, if still running, is terminated; the new run is current.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/state_rebuilder.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

bool ReappliesSignals(const wsv1::ResetWorkflowExecutionRequest& request) {
  if (request.reset_reapply_type() == enums::RESET_REAPPLY_TYPE_NONE) return false;
  const auto& excluded = request.reset_reapply_exclude_types();
  return std::find(excluded.begin(), excluded.end(), enums::RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL) == excluded.end();
}

// Updates are reapplied unless the request excludes them (or asks for
// signals alone, or nothing).
bool ReappliesUpdates(const wsv1::ResetWorkflowExecutionRequest& request) {
  if (request.reset_reapply_type() == enums::RESET_REAPPLY_TYPE_NONE ||
      request.reset_reapply_type() == enums::RESET_REAPPLY_TYPE_SIGNAL) {
    return false;
  }
  const auto& excluded = request.reset_reapply_exclude_types();
  return std::find(excluded.begin(), excluded.end(), enums::RESET_REAPPLY_EXCLUDE_TYPE_UPDATE) == excluded.end();
}

bool FinishesWorkflowTask(enums::EventType type) {
  return type == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED || type == enums::EVENT_TYPE_WORKFLOW_TASK_FAILED ||
         type == enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT;
}

}  // namespace

void HistoryEngine::ResetWorkflow(const NamespaceRef& ns, wsv1::ResetWorkflowExecutionRequest request,
                                  Done<wsv1::ResetWorkflowExecutionResponse> done) {
  read_pool_.Post([this, ns, request = std::move(request), done = std::move(done)]() {
    const std::string& workflow_id = request.workflow_execution().workflow_id();
    absl::StatusOr<std::string> base_run = ResolveRunId(ns.id, workflow_id, request.workflow_execution().run_id());
    if (!base_run.ok()) return done(base_run.status());
    absl::StatusOr<persistence::ExecutionRecord> base = store_.GetExecution(ns.id, workflow_id, *base_run);
    if (base.status().code() == absl::StatusCode::kNotFound) {
      return done(absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id)));
    }
    if (!base.ok()) return done(base.status());
    const int64_t end = base->state.next_event_id();
    const int64_t finish = request.workflow_task_finish_event_id();
    if (finish <= 2 || finish >= end) {
      return done(errors::InvalidArgument(
          absl::StrCat("WorkflowTaskFinishEventId ", finish, " is not an event of the run (1..", end - 1, ").")));
    }
    absl::StatusOr<std::vector<HistoryEvent>> events =
        store_.ReadHistory(ns.id, workflow_id, *base_run, 1, end, static_cast<int>(end));
    if (!events.ok()) return done(events.status());
    if (static_cast<int64_t>(events->size()) != end - 1) return done(errors::Internal("the run's history is incomplete"));
    // The new run's history ends with the reset point's WorkflowTaskStarted:
    // the event named, or the one right before the task end named.
    const HistoryEvent& reset_point = (*events)[finish - 1];
    const bool names_started = reset_point.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_STARTED;
    if (!names_started && (!FinishesWorkflowTask(reset_point.event_type()) ||
                           (*events)[finish - 2].event_type() != enums::EVENT_TYPE_WORKFLOW_TASK_STARTED)) {
      return done(errors::InvalidArgument(absl::StrCat(
          "WorkflowTaskFinishEventId ", finish,
          " must be a WorkflowTaskStarted event, or a WorkflowTaskCompleted, WorkflowTaskFailed or "
          "WorkflowTaskTimedOut event right after its WorkflowTaskStarted.")));
    }
    const int64_t prefix_length = names_started ? finish : finish - 1;
    std::vector<HistoryEvent> prefix(events->begin(), events->begin() + prefix_length);
    // What the old run received after the reset point, in order: signals,
    // and the updates it admitted (as their requests).
    std::vector<HistoryEvent> reapplied;
    const bool signals = ReappliesSignals(request), updates = ReappliesUpdates(request);
    for (auto it = events->begin() + prefix_length; it != events->end(); ++it) {
      if (signals && it->event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
        HistoryEvent copy;
        copy.set_event_type(it->event_type());
        *copy.mutable_workflow_execution_signaled_event_attributes() = it->workflow_execution_signaled_event_attributes();
        reapplied.push_back(std::move(copy));
      }
      if (updates && it->event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
        HistoryEvent admitted;
        admitted.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED);
        auto* a = admitted.mutable_workflow_execution_update_admitted_event_attributes();
        *a->mutable_request() = it->workflow_execution_update_accepted_event_attributes().accepted_request();
        a->set_origin(enums::UPDATE_ADMITTED_EVENT_ORIGIN_REAPPLY);
        reapplied.push_back(std::move(admitted));
      }
    }
    const std::string new_run_id = random_.NewUuidV7(clock_.Now());
    absl::StatusOr<MutableState> rebuilt = RebuildState(ns.id, workflow_id, new_run_id, prefix);
    if (!rebuilt.ok()) return done(errors::InvalidArgument(rebuilt.status().message()));

    ShardOf(ns.id, workflow_id)
        .Execute<wsv1::ResetWorkflowExecutionResponse>(
            [this, ns, request, base_run = *base_run, new_run_id, prefix = std::move(prefix),
             reapplied = std::move(reapplied),
             state = *std::move(rebuilt)](MutationScope& scope) -> absl::StatusOr<wsv1::ResetWorkflowExecutionResponse> {
              const std::string& workflow_id = request.workflow_execution().workflow_id();
              wsv1::ResetWorkflowExecutionResponse response;
              absl::StatusOr<CurrentRun> current = LoadCurrentRun(scope, ns.id, workflow_id);
              if (!current.ok()) return current.status();
              if (current->run != nullptr && current->run->state.start_request_id() == request.request_id()) {
                response.set_run_id(current->run_id);  // a retry of this reset
                return response;
              }
              if (current->run != nullptr && IsOpen(current->run->state)) {
                TerminateRun(scope, *current->run, request.reason(), nullptr, request.identity());
              }
              MutableState fresh = state;
              fresh.set_start_request_id(request.request_id());
              RunChange* run = scope.Create(std::move(fresh), current->run_id);
              run->events = prefix;
              MutableState& s = run->state;
              const absl::Time now = scope.now();

              HistoryEvent& failed = AddEvent(*run, now, enums::EVENT_TYPE_WORKFLOW_TASK_FAILED);
              auto* f = failed.mutable_workflow_task_failed_event_attributes();
              f->set_scheduled_event_id(s.workflow_task().scheduled_event_id());
              f->set_started_event_id(s.workflow_task().started_event_id());
              f->set_cause(enums::WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
              f->mutable_failure()->set_message(request.reason());
              f->mutable_failure()->mutable_reset_workflow_failure_info();
              f->set_identity(request.identity());
              f->set_base_run_id(base_run);
              f->set_new_run_id(new_run_id);
              s.clear_workflow_task();
              // The SDKs take a reapplied update's request from its admitted event.
              for (const HistoryEvent& event : reapplied) AddExternalEvent(*run, now, event);
              // What was pending at the reset point runs again.
              for (auto& [id, activity] : *s.mutable_activities()) DispatchActivity(scope, *run, activity);
              for (const auto& [timer_id, timer] : s.timers()) {
                TimerTask task = NewTimerTask(s, TimerTask::USER_TIMER, std::max(now, FromProto(timer.fire_time())));
                task.set_timer_id(timer_id);
                task.set_event_id(timer.started_event_id());
                scope.AddTimerTask(std::move(task));
              }
              ScheduleWorkflowTask(scope, *run);
              const absl::Duration run_timeout = FromProto(s.workflow_run_timeout());
              if (run_timeout > absl::ZeroDuration()) {
                absl::Time deadline = now + run_timeout;
                if (s.has_execution_expiration_time()) {
                  deadline = std::min(deadline, FromProto(s.execution_expiration_time()));
                }
                scope.AddTimerTask(NewTimerTask(s, TimerTask::WORKFLOW_RUN_TIMEOUT, deadline));
              }
              response.set_run_id(new_run_id);
              return response;
            },
            std::move(done));
  });
}

}  // namespace zaman::history
