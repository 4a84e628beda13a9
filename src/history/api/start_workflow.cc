// StartWorkflowExecution: a new run of a workflow id, or the existing one
// when the request's id conflict and reuse policies say so. The run
// creation and conflict rules here also serve SignalWithStart, child
// workflows and resets.
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/retry_policy.h"
#include "history/run_chain.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

constexpr absl::Duration kDefaultWorkflowTaskTimeout = absl::Seconds(10);
constexpr absl::Duration kMaxWorkflowTaskTimeout = absl::Seconds(120);

absl::Status AlreadyStarted(const MutableState& running) {
  absl::Status status = absl::AlreadyExistsError(absl::StrCat(
      "Workflow execution is already running. WorkflowId: ", running.workflow_id(), ", RunId: ", running.run_id(),
      "."));
  return errors::WithWorkflowAlreadyStarted(status, running.start_request_id(), running.run_id(),
                                            running.first_execution_run_id());
}

}  // namespace

absl::StatusOr<RunChange*> CreateRun(MutationScope& scope, Random& random, const NamespaceRef& ns,
                                     const wsv1::StartWorkflowExecutionRequest& request,
                                     const std::string& expected_current,
                                     const std::function<void(RunChange&)>& before_first_task,
                                     const ParentRef* parent) {
  const absl::Time now = scope.now();
  NewRun spec;
  spec.namespace_id = ns.id;
  spec.workflow_id = request.workflow_id();
  spec.run_id = random.NewUuidV7(now);
  spec.request_id = request.request_id();
  absl::Duration execution_timeout = FromProto(request.workflow_execution_timeout());
  absl::Duration run_timeout = FromProto(request.workflow_run_timeout());
  if (run_timeout == absl::ZeroDuration() || (execution_timeout > absl::ZeroDuration() && run_timeout > execution_timeout)) {
    run_timeout = execution_timeout;
  }
  absl::Duration task_timeout = FromProto(request.workflow_task_timeout());
  if (task_timeout <= absl::ZeroDuration()) task_timeout = kDefaultWorkflowTaskTimeout;
  task_timeout = std::min(task_timeout, kMaxWorkflowTaskTimeout);
  if (run_timeout > absl::ZeroDuration()) task_timeout = std::min(task_timeout, run_timeout);

  StartedAttributes& attrs = spec.started;
  *attrs.mutable_workflow_type() = request.workflow_type();
  *attrs.mutable_task_queue() = NormalQueue(request.task_queue());
  if (request.has_input()) *attrs.mutable_input() = request.input();
  // Timeouts the client left out stay out of the event, as Temporal writes it.
  if (request.has_workflow_execution_timeout()) {
    *attrs.mutable_workflow_execution_timeout() = ToProto(execution_timeout);
  }
  if (request.has_workflow_run_timeout() || run_timeout > absl::ZeroDuration()) {
    *attrs.mutable_workflow_run_timeout() = ToProto(run_timeout);
  }
  *attrs.mutable_workflow_task_timeout() = ToProto(task_timeout);
  attrs.set_initiator(enums::CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED);
  attrs.set_original_execution_run_id(spec.run_id);
  attrs.set_identity(request.identity());
  attrs.set_first_execution_run_id(spec.run_id);
  attrs.set_attempt(1);
  if (execution_timeout > absl::ZeroDuration()) {
    *attrs.mutable_workflow_execution_expiration_time() = ToProto(now + execution_timeout);
  }
  if (request.has_retry_policy()) {
    // Stored with Temporal's defaults filled in, as clients read it back.
    *attrs.mutable_retry_policy() = request.retry_policy();
    ApplyRetryDefaults(*attrs.mutable_retry_policy());
  }
  attrs.set_cron_schedule(request.cron_schedule());
  if (request.has_memo()) *attrs.mutable_memo() = request.memo();
  if (request.search_attributes().indexed_fields_size() > 0) {
    *attrs.mutable_search_attributes() = request.search_attributes();
  }
  if (request.has_header()) *attrs.mutable_header() = request.header();
  if (request.has_priority()) *attrs.mutable_priority() = request.priority();
  if (request.has_user_metadata()) spec.user_metadata = request.user_metadata();
  attrs.set_workflow_id(request.workflow_id());
  // A cron workflow's first run waits for the schedule's next time; a start
  // delay postpones the first workflow task likewise.
  spec.backoff = std::max(FirstCronBackoff(request.cron_schedule(), now), FromProto(request.workflow_start_delay()));
  if (!request.cron_schedule().empty()) attrs.set_initiator(enums::CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
  if (parent != nullptr) {
    attrs.set_parent_workflow_namespace(parent->namespace_name);
    attrs.set_parent_workflow_namespace_id(parent->namespace_id);
    *attrs.mutable_parent_workflow_execution() = parent->execution;
    attrs.set_parent_initiated_event_id(parent->initiated_event_id);
    *attrs.mutable_root_workflow_execution() = parent->root;
  }
  return StartRun(scope, std::move(spec), expected_current, before_first_task);
}

absl::StatusOr<CurrentRun> LoadCurrentRun(MutationScope& scope, const std::string& namespace_id,
                                          const std::string& workflow_id) {
  absl::StatusOr<std::string> run_id = scope.CurrentRunId(namespace_id, workflow_id);
  if (!run_id.ok()) return run_id.status();
  CurrentRun current{*run_id, nullptr};
  if (current.run_id.empty()) return current;
  absl::StatusOr<RunChange*> loaded = scope.Load(namespace_id, workflow_id, current.run_id);
  if (!loaded.ok()) return loaded.status();
  current.run = *loaded;
  return current;
}

// The start decision for a workflow id whose latest run is `current`
// (nullptr: none). Returns the response, or nullopt to go on and create.
absl::StatusOr<std::optional<wsv1::StartWorkflowExecutionResponse>> ResolveConflict(
    MutationScope& scope, RunChange* current, const wsv1::StartWorkflowExecutionRequest& request) {
  if (current == nullptr) return std::nullopt;
  const MutableState& state = current->state;
  wsv1::StartWorkflowExecutionResponse existing;
  existing.set_run_id(state.run_id());
  existing.set_first_execution_run_id(state.first_execution_run_id());
  if (!request.request_id().empty() && state.start_request_id() == request.request_id()) {
    existing.set_started(true);  // a retry of the start that made this run
    return existing;
  }
  if (IsOpen(state)) {
    switch (request.workflow_id_conflict_policy()) {
      case enums::WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING:
        existing.set_started(false);
        return existing;
      case enums::WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING:
        TerminateRun(scope, *current, "TerminateIfRunning WorkflowIdReusePolicy", nullptr, "history-service");
        return std::nullopt;
      default:
        if (request.workflow_id_reuse_policy() == enums::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
          TerminateRun(scope, *current, "TerminateIfRunning WorkflowIdReusePolicy", nullptr, "history-service");
          return std::nullopt;
        }
        return AlreadyStarted(state);
    }
  }
  switch (request.workflow_id_reuse_policy()) {
    case enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE:
      return errors::WithWorkflowAlreadyStarted(
          absl::AlreadyExistsError(absl::StrCat("Workflow execution already finished and Workflow ID reuse policy "
                                                "does not allow it. WorkflowId: ",
                                                state.workflow_id(), ", RunId: ", state.run_id(), ".")),
          state.start_request_id(), state.run_id(), state.first_execution_run_id());
    case enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
      if (state.status() == enums::WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        return errors::WithWorkflowAlreadyStarted(
            absl::AlreadyExistsError(absl::StrCat("Workflow execution already finished successfully. WorkflowId: ",
                                                  state.workflow_id(), ", RunId: ", state.run_id(), ".")),
            state.start_request_id(), state.run_id(), state.first_execution_run_id());
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

void HistoryEngine::StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                                  Done<wsv1::StartWorkflowExecutionResponse> done) {
  if (request.request_id().empty()) request.set_request_id(random_.NewUuid());
  ShardOf(ns.id, request.workflow_id())
      .Execute<wsv1::StartWorkflowExecutionResponse>(
          [this, ns, request](MutationScope& scope) -> absl::StatusOr<wsv1::StartWorkflowExecutionResponse> {
            absl::StatusOr<CurrentRun> current = LoadCurrentRun(scope, ns.id, request.workflow_id());
            if (!current.ok()) return current.status();
            auto decided = ResolveConflict(scope, current->run, request);
            if (!decided.ok()) return decided.status();
            if (decided->has_value()) return **decided;
            absl::StatusOr<RunChange*> run = CreateRun(scope, random_, ns, request, current->run_id);
            if (!run.ok()) return run.status();
            wsv1::StartWorkflowExecutionResponse response;
            response.set_run_id((*run)->state.run_id());
            response.set_first_execution_run_id((*run)->state.first_execution_run_id());
            response.set_started(true);
            return response;
          },
          std::move(done));
}

}  // namespace zaman::history
