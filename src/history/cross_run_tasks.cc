// The outbox tasks the history role processes itself, because they change
// a second run (perhaps on another shard): starting a child, telling a
// parent how its child ended, the parent close policy, and signals and
// cancel requests between workflows. Each is delivered at least once; each
// step is idempotent (request ids, or the pending-child record it clears).
// Every processor starts on the read pool and continues in shard callbacks.
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/engine_internal.h"
#include "history/history_metrics.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

using temporal::api::common::v1::WorkflowExecution;

WorkflowExecution Execution(const std::string& workflow_id, const std::string& run_id) {
  WorkflowExecution execution;
  execution.set_workflow_id(workflow_id);
  execution.set_run_id(run_id);
  return execution;
}

// Writes ChildWorkflowExecutionStarted in the parent and marks the child
// started. The event id is known at once unless a workflow task is running
// (then FlushBuffered fills it in).
void RecordChildStarted(MutationScope& scope, RunChange& parent, persistence::v1::ChildExecutionInfo& child,
                        const std::string& child_run_id, const temporal::api::common::v1::Header* header) {
  child.set_run_id(child_run_id);
  child.set_started(true);
  HistoryEvent event;
  event.set_event_type(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  auto* a = event.mutable_child_workflow_execution_started_event_attributes();
  a->set_namespace_(child.namespace_());
  a->set_namespace_id(parent.state.namespace_id());
  a->set_initiated_event_id(child.initiated_event_id());
  *a->mutable_workflow_execution() = Execution(child.workflow_id(), child_run_id);
  *a->mutable_workflow_type() = child.workflow_type();
  if (header != nullptr) *a->mutable_header() = *header;
  const int64_t next_id = parent.state.next_event_id();
  AddExternalEvent(parent, scope.now(), std::move(event));
  if (parent.state.next_event_id() != next_id) child.set_started_event_id(next_id);
}

// The parent's event for the child chain's close event `close`.
HistoryEvent ChildResultEvent(const HistoryEvent& close, const persistence::v1::ChildExecutionInfo& child,
                              const std::string& namespace_id) {
  HistoryEvent event;
  auto fill = [&](auto* a) {
    a->set_namespace_(child.namespace_());
    a->set_namespace_id(namespace_id);
    *a->mutable_workflow_execution() = Execution(child.workflow_id(), child.run_id());
    *a->mutable_workflow_type() = child.workflow_type();
    a->set_initiated_event_id(child.initiated_event_id());
    a->set_started_event_id(child.started_event_id());
  };
  switch (close.event_type()) {
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
      event.set_event_type(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
      auto* a = event.mutable_child_workflow_execution_completed_event_attributes();
      fill(a);
      *a->mutable_result() = close.workflow_execution_completed_event_attributes().result();
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
      event.set_event_type(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED);
      auto* a = event.mutable_child_workflow_execution_failed_event_attributes();
      fill(a);
      *a->mutable_failure() = close.workflow_execution_failed_event_attributes().failure();
      a->set_retry_state(close.workflow_execution_failed_event_attributes().retry_state());
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: {
      event.set_event_type(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED);
      auto* a = event.mutable_child_workflow_execution_canceled_event_attributes();
      fill(a);
      if (close.workflow_execution_canceled_event_attributes().has_details()) {
        *a->mutable_details() = close.workflow_execution_canceled_event_attributes().details();
      }
      break;
    }
    case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: {
      event.set_event_type(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT);
      auto* a = event.mutable_child_workflow_execution_timed_out_event_attributes();
      fill(a);
      a->set_retry_state(close.workflow_execution_timed_out_event_attributes().retry_state());
      break;
    }
    default: {
      event.set_event_type(enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED);
      fill(event.mutable_child_workflow_execution_terminated_event_attributes());
      break;
    }
  }
  return event;
}

// Loads the run a cross-run task writes back to; nullptr (and OK) when it
// is gone or closed, so the task completes without effect.
absl::StatusOr<RunChange*> LoadOpenOrNull(MutationScope& scope, const std::string& namespace_id,
                                          const std::string& workflow_id, const std::string& run_id) {
  absl::StatusOr<RunChange*> loaded = scope.Load(namespace_id, workflow_id, run_id);
  if (loaded.status().code() == absl::StatusCode::kNotFound) return nullptr;
  if (!loaded.ok()) return loaded.status();
  return IsOpen((*loaded)->state) ? *loaded : nullptr;
}

}  // namespace

void HistoryEngine::ProcessCrossRunTask(const TransferTask& task) {
  switch (task.kind()) {
    case TransferTask::START_CHILD:
      return StartChild(task);
    case TransferTask::CHILD_CLOSED:
      return DeliverChildClosed(task);
    case TransferTask::PARENT_CLOSE_POLICY:
      return ApplyParentClosePolicy(task);
    case TransferTask::SIGNAL_EXTERNAL:
    case TransferTask::CANCEL_EXTERNAL:
      return DeliverExternalRequest(task);
    default:
      spdlog::error("transfer task {} has an unknown kind {}", task.task_id(), static_cast<int>(task.kind()));
  }
}

void HistoryEngine::RetryCrossRunTask(const TransferTask& task, const absl::Status& why) {
  TaskMetricsOf(task).Failed();
  spdlog::warn("{} task of {}/{} failed, retrying: {}", TransferTask::Kind_Name(task.kind()), task.workflow_id(),
               task.run_id(), why.ToString());
  timers_.Schedule(clock_.Now() + absl::Seconds(1), [this, task] { DispatchTransferTask(task); });
}

void HistoryEngine::CompleteTask(const TransferTask& task) {
  ShardOf(task.namespace_id(), task.workflow_id())
      .Execute<bool>(
          [id = task.task_id()](MutationScope& scope) -> absl::StatusOr<bool> {
            scope.CompleteTransferTask(id);
            return true;
          },
          [](absl::StatusOr<bool>) {});  // not completed: processed again after a restart, harmlessly
}

absl::StatusOr<HistoryEvent> HistoryEngine::InitiatedEventOf(const TransferTask& task) {
  absl::StatusOr<std::vector<HistoryEvent>> events = store_.ReadHistory(
      task.namespace_id(), task.workflow_id(), task.run_id(), task.initiated_event_id(), task.initiated_event_id() + 1, 1);
  if (!events.ok()) return events.status();
  if (events->empty()) {
    return absl::NotFoundError(absl::StrCat("event ", task.initiated_event_id(), " of ", task.run_id(), " is missing"));
  }
  return std::move(events->front());
}

// ---------------------------------------------------------------------------
// Children

void HistoryEngine::StartChild(const TransferTask& task) {
  absl::StatusOr<HistoryEvent> initiated_event = InitiatedEventOf(task);
  if (!initiated_event.ok()) return RetryCrossRunTask(task, initiated_event.status());
  const auto& i = initiated_event->start_child_workflow_execution_initiated_event_attributes();
  wsv1::StartWorkflowExecutionRequest request;
  request.set_namespace_(i.namespace_());
  request.set_workflow_id(i.workflow_id());
  *request.mutable_workflow_type() = i.workflow_type();
  *request.mutable_task_queue() = i.task_queue();
  if (i.has_input()) *request.mutable_input() = i.input();
  if (i.has_workflow_execution_timeout()) *request.mutable_workflow_execution_timeout() = i.workflow_execution_timeout();
  if (i.has_workflow_run_timeout()) *request.mutable_workflow_run_timeout() = i.workflow_run_timeout();
  // What the child does not set of its priority it inherits from the parent.
  absl::StatusOr<persistence::ExecutionRecord> parent_record =
      store_.GetExecution(task.namespace_id(), task.workflow_id(), task.run_id());
  if (!parent_record.ok()) return RetryCrossRunTask(task, parent_record.status());
  temporal::api::common::v1::Priority priority = MergePriority(parent_record->state.priority(), i.priority());
  // (An empty one the parent's command gave stays, as Temporal writes it.)
  if (i.has_priority() || priority.ByteSizeLong() > 0) *request.mutable_priority() = std::move(priority);
  *request.mutable_workflow_task_timeout() = i.workflow_task_timeout();
  request.set_request_id(task.request_id());
  request.set_workflow_id_reuse_policy(i.workflow_id_reuse_policy());
  if (i.has_retry_policy()) *request.mutable_retry_policy() = i.retry_policy();
  request.set_cron_schedule(i.cron_schedule());
  if (i.has_memo()) *request.mutable_memo() = i.memo();
  if (i.has_search_attributes()) *request.mutable_search_attributes() = i.search_attributes();
  if (i.has_header()) *request.mutable_header() = i.header();
  NamespaceRef ns;
  ns.id = task.namespace_id();
  ns.name = i.namespace_();

  // The child's first run id, or "" when the id is taken: on the host that
  // owns the child's shard.
  CrossRunStepRequest step;
  *step.mutable_task() = task;
  *step.mutable_initiated_event() = *initiated_event;
  *step.mutable_child_request() = std::move(request);
  router_->CrossRunStep(
      step, [this, task, header = i.header(), child_type = i.workflow_type(), control = i.control(),
             completed_id = i.workflow_task_completed_event_id(),
             ns](absl::StatusOr<CrossRunStepResponse> stepped) {
            absl::StatusOr<std::string> child_run =
                stepped.ok() ? absl::StatusOr<std::string>(stepped->child_run_id()) : stepped.status();
            if (!child_run.ok()) return RetryCrossRunTask(task, child_run.status());
            ShardOf(task.namespace_id(), task.workflow_id())
                .Execute<bool>(
                    [task, child_run = *child_run, header, child_type, control, completed_id,
                     ns](MutationScope& scope) -> absl::StatusOr<bool> {
                      scope.CompleteTransferTask(task.task_id());
                      absl::StatusOr<RunChange*> loaded =
                          LoadOpenOrNull(scope, task.namespace_id(), task.workflow_id(), task.run_id());
                      if (!loaded.ok()) return loaded.status();
                      if (*loaded == nullptr) return false;
                      RunChange& parent = **loaded;
                      auto child = parent.state.mutable_children()->find(task.initiated_event_id());
                      if (child == parent.state.mutable_children()->end() || child->second.started()) return false;
                      if (child_run.empty()) {
                        HistoryEvent event;
                        event.set_event_type(enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED);
                        auto* a = event.mutable_start_child_workflow_execution_failed_event_attributes();
                        a->set_namespace_(ns.name);
                        a->set_namespace_id(ns.id);
                        a->set_workflow_id(child->second.workflow_id());
                        *a->mutable_workflow_type() = child_type;
                        a->set_cause(enums::START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS);
                        a->set_control(control);
                        a->set_initiated_event_id(task.initiated_event_id());
                        a->set_workflow_task_completed_event_id(completed_id);
                        parent.state.mutable_children()->erase(child);
                        AddExternalEvent(parent, scope.now(), std::move(event));
                      } else {
                        RecordChildStarted(scope, parent, child->second, child_run, &header);
                      }
                      ScheduleWorkflowTask(scope, parent);
                      return true;
                    },
                    [this, task](absl::StatusOr<bool> recorded) {
                      if (!recorded.ok()) RetryCrossRunTask(task, recorded.status());
                    });
          });
}

void HistoryEngine::DeliverChildClosed(const TransferTask& task) {
  CrossRunStepRequest step;
  *step.mutable_task() = task;
  router_->CrossRunStep(step, [this, task](absl::StatusOr<CrossRunStepResponse> delivered) {
    if (!delivered.ok()) return RetryCrossRunTask(task, delivered.status());
    CompleteTask(task);
  });
}

void HistoryEngine::ApplyParentClosePolicy(const TransferTask& task) {
  CrossRunStepRequest step;
  *step.mutable_task() = task;
  router_->CrossRunStep(step, [this, task](absl::StatusOr<CrossRunStepResponse> applied) {
    if (!applied.ok()) return RetryCrossRunTask(task, applied.status());
    CompleteTask(task);
  });
}

// ---------------------------------------------------------------------------
// Signals and cancel requests between workflows

void HistoryEngine::DeliverExternalRequest(const TransferTask& task) {
  absl::StatusOr<HistoryEvent> initiated = InitiatedEventOf(task);
  if (!initiated.ok()) return RetryCrossRunTask(task, initiated.status());
  const bool is_signal = task.kind() == TransferTask::SIGNAL_EXTERNAL;
  CrossRunStepRequest step;
  *step.mutable_task() = task;
  *step.mutable_initiated_event() = *initiated;
  router_->CrossRunStep(
      step, [this, task, is_signal, event = *initiated](absl::StatusOr<CrossRunStepResponse> stepped) {
            absl::StatusOr<bool> delivered =
                stepped.ok() ? absl::StatusOr<bool>(stepped->applied()) : stepped.status();
            if (!delivered.ok()) return RetryCrossRunTask(task, delivered.status());
            ShardOf(task.namespace_id(), task.workflow_id())
                .Execute<bool>(
                    [task, is_signal, event, delivered = *delivered](MutationScope& scope) -> absl::StatusOr<bool> {
                      scope.CompleteTransferTask(task.task_id());
                      absl::StatusOr<RunChange*> loaded =
                          LoadOpenOrNull(scope, task.namespace_id(), task.workflow_id(), task.run_id());
                      if (!loaded.ok()) return loaded.status();
                      if (*loaded == nullptr) return false;
                      RunChange& source = **loaded;
                      HistoryEvent outcome;
                      auto fill = [&](auto* a, const auto& i) {
                        a->set_initiated_event_id(task.initiated_event_id());
                        a->set_namespace_(i.namespace_());
                        a->set_namespace_id(i.namespace_id());
                        *a->mutable_workflow_execution() = i.workflow_execution();
                      };
                      auto fill_failed = [&](auto* a, const auto& i) {
                        fill(a, i);
                        a->set_workflow_task_completed_event_id(i.workflow_task_completed_event_id());
                        a->set_control(i.control());
                      };
                      if (is_signal) {
                        const auto& i = event.signal_external_workflow_execution_initiated_event_attributes();
                        if (delivered) {
                          outcome.set_event_type(enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED);
                          auto* a = outcome.mutable_external_workflow_execution_signaled_event_attributes();
                          fill(a, i);
                          a->set_control(i.control());
                        } else {
                          outcome.set_event_type(enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
                          auto* a = outcome.mutable_signal_external_workflow_execution_failed_event_attributes();
                          fill_failed(a, i);
                          a->set_cause(
                              enums::SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
                        }
                      } else {
                        const auto& i = event.request_cancel_external_workflow_execution_initiated_event_attributes();
                        if (delivered) {
                          outcome.set_event_type(enums::EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
                          fill(outcome.mutable_external_workflow_execution_cancel_requested_event_attributes(), i);
                        } else {
                          outcome.set_event_type(enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
                          auto* a = outcome.mutable_request_cancel_external_workflow_execution_failed_event_attributes();
                          fill_failed(a, i);
                          a->set_cause(
                              enums::CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND);
                        }
                      }
                      AddExternalEvent(source, scope.now(), std::move(outcome));
                      ScheduleWorkflowTask(scope, source);
                      return true;
                    },
                    [this, task](absl::StatusOr<bool> recorded) {
                      if (!recorded.ok()) RetryCrossRunTask(task, recorded.status());
                    });
          });
}

// ---------------------------------------------------------------------------
// The target side: each step on the shard of the run it changes.

void HistoryEngine::CrossRunStep(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done) {
  const TransferTask& task = step.task();
  auto applied = [done](absl::StatusOr<bool> result) {
    if (!result.ok()) return done(result.status());
    CrossRunStepResponse r;
    r.set_applied(*result);
    done(std::move(r));
  };
  switch (task.kind()) {
    case TransferTask::START_CHILD:
      return StartChildRun(step, std::move(done));
    case TransferTask::CHILD_CLOSED:
      return ShardOf(task.namespace_id(), task.target_workflow_id())
          .Execute<bool>(
              [task](MutationScope& scope) -> absl::StatusOr<bool> {
                absl::StatusOr<RunChange*> loaded =
                    LoadOpenOrNull(scope, task.namespace_id(), task.target_workflow_id(), task.target_run_id());
            if (!loaded.ok()) return loaded.status();
            if (*loaded == nullptr) return false;
            RunChange& parent = **loaded;
            auto found = parent.state.mutable_children()->find(task.initiated_event_id());
            if (found == parent.state.mutable_children()->end()) return false;  // told before
            persistence::v1::ChildExecutionInfo child = found->second;
            if (!child.started()) RecordChildStarted(scope, parent, child, task.child_first_run_id(), nullptr);
            parent.state.mutable_children()->erase(task.initiated_event_id());
            HistoryEvent result = ChildResultEvent(task.child_close_event(), child, parent.state.namespace_id());
            AddExternalEvent(parent, scope.now(), std::move(result));
            ScheduleWorkflowTask(scope, parent);
            return true;
          },
              applied);
    case TransferTask::PARENT_CLOSE_POLICY:
      return ShardOf(task.namespace_id(), task.target_workflow_id())
          .Execute<bool>(
              [task](MutationScope& scope) -> absl::StatusOr<bool> {
                absl::StatusOr<CurrentRun> current =
                    LoadCurrentRun(scope, task.namespace_id(), task.target_workflow_id());
            if (!current.ok()) return current.status();
            RunChange* child = current->run;
            // The chain the parent started, still running (a later run of
            // the same id is another workflow).
            if (child == nullptr || !IsOpen(child->state) ||
                child->state.first_execution_run_id() != task.target_run_id()) {
              return false;
            }
            if (task.parent_close_policy() == enums::PARENT_CLOSE_POLICY_REQUEST_CANCEL) {
              WorkflowExecution parent = Execution(task.workflow_id(), task.run_id());
              RequestCancel(scope, *child, "by parent close policy", "history-service", task.initiated_event_id(),
                            &parent);
            } else {
              TerminateRun(scope, *child, "by parent close policy", nullptr, "history-service");
            }
            return true;
          },
              applied);
    case TransferTask::SIGNAL_EXTERNAL:
    case TransferTask::CANCEL_EXTERNAL: {
      const bool is_signal = task.kind() == TransferTask::SIGNAL_EXTERNAL;
      return ShardOf(task.namespace_id(), task.target_workflow_id())
          .Execute<bool>(
              [task, is_signal, event = step.initiated_event()](MutationScope& scope) -> absl::StatusOr<bool> {
            const WorkflowExecution source = Execution(task.workflow_id(), task.run_id());
            absl::StatusOr<RunChange*> target = LoadOpenRun(
                scope, task.namespace_id(), Execution(task.target_workflow_id(), task.target_run_id()));
            if (target.status().code() == absl::StatusCode::kNotFound) return false;
            if (!target.ok()) return target.status();
            RunChange& run = **target;
            const bool child_only = is_signal
                                        ? event.signal_external_workflow_execution_initiated_event_attributes()
                                              .child_workflow_only()
                                        : event.request_cancel_external_workflow_execution_initiated_event_attributes()
                                              .child_workflow_only();
            if (child_only && run.state.parent_execution().workflow_id() != task.workflow_id()) return false;
            if (is_signal) {
              const auto& a = event.signal_external_workflow_execution_initiated_event_attributes();
              absl::Status s = Signal(scope, run, a.signal_name(), a.has_input() ? &a.input() : nullptr, "",
                                      a.has_header() ? &a.header() : nullptr, task.request_id(), &source);
              if (!s.ok()) return s;
            } else {
              const auto& a = event.request_cancel_external_workflow_execution_initiated_event_attributes();
              RequestCancel(scope, run, a.reason(), "", task.initiated_event_id(), &source);
            }
            return true;
          },
              applied);
    }
    default:
      done(errors::InvalidArgument(absl::StrCat("no cross-run step for a ", TransferTask::Kind_Name(task.kind()),
                                                " task")));
  }
}

void HistoryEngine::StartChildRun(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done) {
  const TransferTask& task = step.task();
  const auto& i = step.initiated_event().start_child_workflow_execution_initiated_event_attributes();
  ParentRef parent{task.namespace_id(), i.namespace_(), Execution(task.workflow_id(), task.run_id()),
                   task.initiated_event_id(), task.root_execution()};
  NamespaceRef ns;
  ns.id = task.namespace_id();
  ns.name = i.namespace_();
  ShardOf(ns.id, i.workflow_id())
      .Execute<std::string>(
          [this, ns, request = step.child_request(), parent](MutationScope& scope) -> absl::StatusOr<std::string> {
            absl::StatusOr<CurrentRun> current = LoadCurrentRun(scope, ns.id, request.workflow_id());
            if (!current.ok()) return current.status();
            auto decided = ResolveConflict(scope, current->run, request);
            if (decided.status().code() == absl::StatusCode::kAlreadyExists) return std::string();
            if (!decided.ok()) return decided.status();
            if (decided->has_value()) return (*decided)->run_id();  // this task ran before
            absl::StatusOr<RunChange*> run = CreateRun(scope, random_, ns, request, current->run_id, nullptr, &parent);
            if (!run.ok()) return run.status();
            return (*run)->state.run_id();
          },
          [done](absl::StatusOr<std::string> child_run) {
            if (!child_run.ok()) return done(child_run.status());
            CrossRunStepResponse r;
            r.set_applied(true);
            r.set_child_run_id(*child_run);
            done(std::move(r));
          });
}

}  // namespace zaman::history
