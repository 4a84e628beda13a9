// SignalWorkflowExecution: a signal event on an open run, once per request id.
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

absl::Status Signal(MutationScope& scope, RunChange& run, const std::string& name,
                    const temporal::api::common::v1::Payloads* input, const std::string& identity,
                    const temporal::api::common::v1::Header* header, const std::string& request_id,
                    const temporal::api::common::v1::WorkflowExecution* external) {
  MutableState& state = run.state;
  if (!request_id.empty()) {
    for (const std::string& seen : state.signal_request_ids()) {
      if (seen == request_id) return absl::OkStatus();  // a retry of a signal already applied
    }
    state.add_signal_request_ids(request_id);
  }
  HistoryEvent event;
  event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  auto* attrs = event.mutable_workflow_execution_signaled_event_attributes();
  attrs->set_signal_name(name);
  if (input != nullptr) *attrs->mutable_input() = *input;
  attrs->set_identity(identity);
  if (header != nullptr) *attrs->mutable_header() = *header;
  attrs->set_request_id(request_id);
  if (external != nullptr) *attrs->mutable_external_workflow_execution() = *external;
  AddExternalEvent(run, scope.now(), std::move(event));
  ScheduleWorkflowTask(scope, run);
  return absl::OkStatus();
}

void HistoryEngine::SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request,
                                   Done<bool> done) {
  ShardOf(ns.id, request.workflow_execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> run = LoadOpenRun(scope, ns.id, request.workflow_execution());
            if (!run.ok()) return run.status();
            absl::Status s = Signal(scope, **run, request.signal_name(),
                                    request.has_input() ? &request.input() : nullptr, request.identity(),
                                    request.has_header() ? &request.header() : nullptr, request.request_id());
            if (!s.ok()) return s;
            return true;
          },
          std::move(done));
}

}  // namespace zaman::history
