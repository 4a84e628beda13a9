// A workflow task that does not complete: failed by its worker or timed
// out, and retried. And the queue the next task goes to (stickiness).

#include "history/commands/commands_internal.h"

namespace zaman::history {
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

// Ends the started attempt with an event of `type` (`fill` adds to its
// attributes what the task's event ids do not say) and schedules the next
// attempt. A transient attempt's end writes nothing.
template <typename Attributes, typename Fill>
void EndAttemptAndRetry(MutationScope& scope, RunChange& run, enums::EventType type,
                        Attributes* (HistoryEvent::*attributes)(), const Fill& fill) {
  if (IsTransient(run.state)) return RetryWorkflowTask(scope, run);
  MaterializeSpeculativeTask(run);
  const MutableState& state = run.state;
  HistoryEvent& event = AddEvent(run, scope.now(), type);
  Attributes* attrs = (event.*attributes)();
  attrs->set_scheduled_event_id(state.workflow_task().scheduled_event_id());
  attrs->set_started_event_id(state.workflow_task().started_event_id());
  fill(*attrs);
  RetryWorkflowTask(scope, run);
}

}  // namespace

void FailWorkflowTask(MutationScope& scope, RunChange& run, enums::WorkflowTaskFailedCause cause,
                      const temporal::api::failure::v1::Failure* failure, const std::string& identity) {
  EndAttemptAndRetry(scope, run, enums::EVENT_TYPE_WORKFLOW_TASK_FAILED,
                     &HistoryEvent::mutable_workflow_task_failed_event_attributes, [&](auto& attrs) {
                       attrs.set_cause(cause);
                       if (failure != nullptr) *attrs.mutable_failure() = *failure;
                       attrs.set_identity(identity);
                     });
}

void TimeOutWorkflowTask(MutationScope& scope, RunChange& run, enums::TimeoutType type) {
  EndAttemptAndRetry(scope, run, enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
                     &HistoryEvent::mutable_workflow_task_timed_out_event_attributes,
                     [&](auto& attrs) { attrs.set_timeout_type(type); });
}

void FireWorkflowTaskTimeout(MutationScope& scope, RunChange& run, const TimerTask& task) {
  const MutableState& state = run.state;
  if (!state.has_workflow_task() || state.workflow_task().scheduled_event_id() != task.event_id() ||
      state.workflow_task().attempt() != task.attempt()) {
    return;
  }
  // Schedule-to-start: only a task still waiting on a sticky queue
  // (its worker is gone); start-to-close: only a started one.
  const bool started = state.workflow_task().started_event_id() != 0;
  const bool schedule_to_start = task.timeout_type() == enums::TIMEOUT_TYPE_SCHEDULE_TO_START;
  if (started == schedule_to_start) return;
  if (schedule_to_start && state.workflow_task().task_queue().kind() != enums::TASK_QUEUE_KIND_STICKY) {
    return;  // already moved to the normal queue
  }
  TimeOutWorkflowTask(scope, run,
                      schedule_to_start ? enums::TIMEOUT_TYPE_SCHEDULE_TO_START : enums::TIMEOUT_TYPE_START_TO_CLOSE);
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

}  // namespace zaman::history
