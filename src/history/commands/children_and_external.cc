// Commands that reach other runs: starting a child workflow, signaling or
// asking to cancel another workflow. Each writes its initiated event and an
// outbox task that the history role's cross-run processors carry out
// (cross_run_tasks.cc), which write the outcome back to this run.

#include "history/commands/commands_internal.h"

namespace zaman::history {
namespace {

// A transfer task for the history role's own processors, from this run.
TransferTask CrossRunTaskOf(const MutableState& state, TransferTask::Kind kind, int64_t initiated_event_id,
                            std::string request_id) {
  TransferTask task = NewTransferTask(state, kind);
  task.set_initiated_event_id(initiated_event_id);
  task.set_request_id(std::move(request_id));
  return task;
}

// Asks the history role to carry a command out on another workflow (its
// run `run_id`, the current one if empty).
void AddExternalTask(MutationScope& scope, Random& random, const MutableState& state, TransferTask::Kind kind,
                     int64_t initiated_event_id, const std::string& workflow_id, const std::string& run_id) {
  TransferTask task = CrossRunTaskOf(state, kind, initiated_event_id, random.NewUuid());
  task.set_target_workflow_id(workflow_id);
  task.set_target_run_id(run_id);
  scope.AddTransferTask(std::move(task));
}

// Who initiates a command to another workflow: this run's task, in its namespace.
template <typename InitiatedEventAttributes>
void SetInitiator(InitiatedEventAttributes& i, int64_t completed_id, const std::string& namespace_name,
                  const MutableState& state) {
  i.set_workflow_task_completed_event_id(completed_id);
  i.set_namespace_(namespace_name);
  i.set_namespace_id(state.namespace_id());
}

constexpr absl::Duration kDefaultChildTaskTimeout = absl::Seconds(10);

}  // namespace

void InitiateChild(MutationScope& scope, Random& random, RunChange& run, int64_t completed_id,
                   const std::string& namespace_name,
                   temporal::api::command::v1::StartChildWorkflowExecutionCommandAttributes a) {
  MutableState& state = run.state;
  HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
  auto* i = event.mutable_start_child_workflow_execution_initiated_event_attributes();
  i->set_namespace_(namespace_name);
  i->set_namespace_id(state.namespace_id());
  i->set_workflow_id(a.workflow_id());
  *i->mutable_workflow_type() = a.workflow_type();
  i->mutable_task_queue()->set_name(a.task_queue().name().empty() ? state.task_queue().name() : a.task_queue().name());
  i->mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (a.has_input()) *i->mutable_input() = a.input();
  if (a.has_workflow_execution_timeout()) *i->mutable_workflow_execution_timeout() = a.workflow_execution_timeout();
  *i->mutable_workflow_run_timeout() = a.workflow_run_timeout();  // Temporal fills it in (0s: unlimited)
  if (a.has_priority()) *i->mutable_priority() = a.priority();
  *i->mutable_workflow_task_timeout() = FromProto(a.workflow_task_timeout()) > absl::ZeroDuration()
                                            ? a.workflow_task_timeout()
                                            : ToProto(kDefaultChildTaskTimeout);
  i->set_parent_close_policy(a.parent_close_policy() == enums::PARENT_CLOSE_POLICY_UNSPECIFIED
                                 ? enums::PARENT_CLOSE_POLICY_TERMINATE
                                 : a.parent_close_policy());
  i->set_control(a.control());
  i->set_workflow_task_completed_event_id(completed_id);
  i->set_workflow_id_reuse_policy(a.workflow_id_reuse_policy() == enums::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED
                                      ? enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
                                      : a.workflow_id_reuse_policy());
  if (a.has_retry_policy()) *i->mutable_retry_policy() = a.retry_policy();
  i->set_cron_schedule(a.cron_schedule());
  if (a.has_header()) *i->mutable_header() = a.header();
  if (a.has_memo()) *i->mutable_memo() = a.memo();
  if (a.search_attributes().indexed_fields_size() > 0) *i->mutable_search_attributes() = a.search_attributes();
  i->set_inherit_build_id(a.inherit_build_id());

  persistence::v1::ChildExecutionInfo& child = (*state.mutable_children())[event.event_id()];
  child.set_initiated_event_id(event.event_id());
  child.set_namespace_(namespace_name);
  child.set_workflow_id(a.workflow_id());
  *child.mutable_workflow_type() = a.workflow_type();
  child.set_parent_close_policy(i->parent_close_policy());
  TransferTask start = CrossRunTaskOf(state, TransferTask::START_CHILD, event.event_id(), random.NewUuid());
  if (state.has_root_execution()) {
    *start.mutable_root_execution() = state.root_execution();
  } else {
    start.mutable_root_execution()->set_workflow_id(state.workflow_id());
    start.mutable_root_execution()->set_run_id(state.run_id());
  }
  scope.AddTransferTask(std::move(start));
}

void InitiateExternalSignal(MutationScope& scope, Random& random, RunChange& run, int64_t completed_id,
                            const std::string& namespace_name,
                            const temporal::api::command::v1::SignalExternalWorkflowExecutionCommandAttributes& a) {
  HistoryEvent& event =
      AddEvent(run, scope.now(), enums::EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  auto* i = event.mutable_signal_external_workflow_execution_initiated_event_attributes();
  SetInitiator(*i, completed_id, namespace_name, run.state);
  *i->mutable_workflow_execution() = a.execution();
  i->set_signal_name(a.signal_name());
  *i->mutable_input() = a.input();
  i->set_control(a.control());
  i->set_child_workflow_only(a.child_workflow_only());
  if (a.has_header()) *i->mutable_header() = a.header();
  AddExternalTask(scope, random, run.state, TransferTask::SIGNAL_EXTERNAL, event.event_id(), a.execution().workflow_id(),
                  a.execution().run_id());
}

void InitiateExternalCancel(
    MutationScope& scope, Random& random, RunChange& run, int64_t completed_id, const std::string& namespace_name,
    const temporal::api::command::v1::RequestCancelExternalWorkflowExecutionCommandAttributes& a) {
  HistoryEvent& event =
      AddEvent(run, scope.now(), enums::EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
  auto* i = event.mutable_request_cancel_external_workflow_execution_initiated_event_attributes();
  SetInitiator(*i, completed_id, namespace_name, run.state);
  i->mutable_workflow_execution()->set_workflow_id(a.workflow_id());
  i->mutable_workflow_execution()->set_run_id(a.run_id());
  i->set_control(a.control());
  i->set_child_workflow_only(a.child_workflow_only());
  i->set_reason(a.reason());
  AddExternalTask(scope, random, run.state, TransferTask::CANCEL_EXTERNAL, event.event_id(), a.workflow_id(),
                  a.run_id());
}

}  // namespace zaman::history
