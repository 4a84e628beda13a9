// SignalWithStartWorkflowExecution: signals the open run of the workflow
// id, or starts one with the signal as its first input.
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

void HistoryEngine::SignalWithStartWorkflow(const NamespaceRef& ns,
                                            wsv1::SignalWithStartWorkflowExecutionRequest request,
                                            Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) {
  if (request.request_id().empty()) request.set_request_id(random_.NewUuid());
  ShardOf(ns.id, request.workflow_id())
      .Execute<wsv1::SignalWithStartWorkflowExecutionResponse>(
          [this, ns, request](MutationScope& scope) -> absl::StatusOr<wsv1::SignalWithStartWorkflowExecutionResponse> {
            temporal::api::common::v1::WorkflowExecution execution;
            execution.set_workflow_id(request.workflow_id());
            wsv1::SignalWithStartWorkflowExecutionResponse response;
            absl::StatusOr<RunChange*> running = LoadOpenRun(scope, ns.id, execution);
            const bool terminate_running =
                running.ok() &&
                request.workflow_id_conflict_policy() == enums::WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING;
            if (terminate_running) {
              TerminateRun(scope, **running, "TerminateIfRunning WorkflowIdReusePolicy", nullptr, "history-service");
            } else if (running.ok()) {
              absl::Status s = Signal(scope, **running, request.signal_name(),
                                      request.has_signal_input() ? &request.signal_input() : nullptr,
                                      request.identity(), request.has_header() ? &request.header() : nullptr, "");
              if (!s.ok()) return s;
              // The signal of a SignalWithStart does not wait out a start delay.
              EndFirstTaskBackoff(scope, **running);
              response.set_run_id((*running)->state.run_id());
              response.set_started(false);
              return response;
            } else if (running.status().code() != absl::StatusCode::kNotFound) {
              return running.status();
            }
            wsv1::StartWorkflowExecutionRequest start;
            start.set_namespace_(request.namespace_());
            start.set_workflow_id(request.workflow_id());
            *start.mutable_workflow_type() = request.workflow_type();
            *start.mutable_task_queue() = request.task_queue();
            if (request.has_input()) *start.mutable_input() = request.input();
            if (request.has_workflow_execution_timeout()) {
              *start.mutable_workflow_execution_timeout() = request.workflow_execution_timeout();
            }
            if (request.has_workflow_run_timeout()) *start.mutable_workflow_run_timeout() = request.workflow_run_timeout();
            if (request.has_priority()) *start.mutable_priority() = request.priority();
            *start.mutable_workflow_task_timeout() = request.workflow_task_timeout();
            start.set_identity(request.identity());
            start.set_request_id(request.request_id());
            if (request.has_retry_policy()) *start.mutable_retry_policy() = request.retry_policy();
            start.set_cron_schedule(request.cron_schedule());
            *start.mutable_workflow_start_delay() = request.workflow_start_delay();
            if (request.has_memo()) *start.mutable_memo() = request.memo();
            if (request.has_search_attributes()) *start.mutable_search_attributes() = request.search_attributes();
            if (request.has_header()) *start.mutable_header() = request.header();
            if (request.has_user_metadata()) *start.mutable_user_metadata() = request.user_metadata();
            absl::StatusOr<CurrentRun> current = LoadCurrentRun(scope, ns.id, request.workflow_id());
            if (!current.ok()) return current.status();
            if (current->run != nullptr && !terminate_running) {
              // Closed (an open one was signalled above): may its id be reused?
              start.set_workflow_id_reuse_policy(request.workflow_id_reuse_policy());
              auto decided = ResolveConflict(scope, current->run, start);
              if (!decided.ok()) return decided.status();
            }
            absl::Status signalled = absl::OkStatus();
            absl::StatusOr<RunChange*> created =
                CreateRun(scope, random_, ns, start, current->run_id, [&](RunChange& run) {
                  signalled = Signal(scope, run, request.signal_name(),
                                     request.has_signal_input() ? &request.signal_input() : nullptr,
                                     request.identity(), request.has_header() ? &request.header() : nullptr, "");
                });
            if (!created.ok()) return created.status();
            if (!signalled.ok()) return signalled;
            RunChange& run = **created;
            response.set_run_id(run.state.run_id());
            response.set_started(true);
            return response;
          },
          std::move(done));
}

}  // namespace zaman::history
