#include "worker/schedule/history_actions.h"

#include "absl/synchronization/notification.h"
#include "visibility/search_attributes.h"

namespace zaman::worker::schedule {
namespace {

namespace enums = ::temporal::api::enums::v1;

// Runs an engine call and waits for its answer.
template <typename T, typename Call>
absl::StatusOr<T> Wait(Call call) {
  absl::Notification done;
  absl::StatusOr<T> result = absl::UnknownError("no answer");
  call([&](absl::StatusOr<T> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace

absl::StatusOr<wsv1::StartWorkflowExecutionResponse> HistoryWorkflowActions::Start(
    const std::string& namespace_name, wsv1::StartWorkflowExecutionRequest request) {
  absl::StatusOr<history::NamespaceRef> ns = resolve_(namespace_name);
  if (!ns.ok()) return ns.status();
  request.set_namespace_(namespace_name);
  if (absl::Status s = visibility::ValidateAndStamp(*request.mutable_search_attributes(), *ns->search_attributes);
      !s.ok()) {
    return s;
  }
  return Wait<wsv1::StartWorkflowExecutionResponse>(
      [&](auto done) { history_.StartWorkflow(*ns, std::move(request), std::move(done)); });
}

absl::StatusOr<WorkflowActions::RunState> HistoryWorkflowActions::Describe(const std::string& namespace_name,
                                                                           const std::string& workflow_id) {
  absl::StatusOr<history::NamespaceRef> ns = resolve_(namespace_name);
  if (!ns.ok()) return ns.status();
  wsv1::DescribeWorkflowExecutionRequest describe;
  describe.set_namespace_(namespace_name);
  describe.mutable_execution()->set_workflow_id(workflow_id);
  absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> described = history_.DescribeWorkflow(*ns, describe);
  if (!described.ok()) return described.status();
  RunState state;
  state.status = described->workflow_execution_info().status();
  state.first_execution_run_id = described->workflow_execution_info().first_run_id();
  if (state.status == enums::WORKFLOW_EXECUTION_STATUS_RUNNING) return state;
  // The close event carries the result or the failure.
  wsv1::GetWorkflowExecutionHistoryReverseRequest last;
  last.set_namespace_(namespace_name);
  *last.mutable_execution() = described->workflow_execution_info().execution();
  last.set_maximum_page_size(1);
  absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> page = history_.GetWorkflowHistoryReverse(*ns, last);
  if (page.ok() && !page->history().events().empty()) {
    const auto& event = page->history().events(0);
    if (event.has_workflow_execution_completed_event_attributes()) {
      state.result = event.workflow_execution_completed_event_attributes().result();
    } else if (event.has_workflow_execution_failed_event_attributes()) {
      state.failure = event.workflow_execution_failed_event_attributes().failure();
    }
  }
  return state;
}

absl::Status HistoryWorkflowActions::Cancel(const std::string& namespace_name,
                                            const temporal::api::common::v1::WorkflowExecution& run,
                                            const std::string& identity, const std::string& reason) {
  absl::StatusOr<history::NamespaceRef> ns = resolve_(namespace_name);
  if (!ns.ok()) return ns.status();
  wsv1::RequestCancelWorkflowExecutionRequest request;
  request.set_namespace_(namespace_name);
  request.mutable_workflow_execution()->set_workflow_id(run.workflow_id());
  request.set_first_execution_run_id(run.run_id());
  request.set_identity(identity);
  request.set_reason(reason);
  return Wait<bool>([&](auto done) { history_.RequestCancelWorkflow(*ns, std::move(request), std::move(done)); })
      .status();
}

absl::Status HistoryWorkflowActions::Terminate(const std::string& namespace_name,
                                               const temporal::api::common::v1::WorkflowExecution& run,
                                               const std::string& identity, const std::string& reason) {
  absl::StatusOr<history::NamespaceRef> ns = resolve_(namespace_name);
  if (!ns.ok()) return ns.status();
  wsv1::TerminateWorkflowExecutionRequest request;
  request.set_namespace_(namespace_name);
  request.mutable_workflow_execution()->set_workflow_id(run.workflow_id());
  request.set_first_execution_run_id(run.run_id());
  request.set_identity(identity);
  request.set_reason(reason);
  return Wait<bool>([&](auto done) { history_.TerminateWorkflow(*ns, std::move(request), std::move(done)); }).status();
}

}  // namespace zaman::worker::schedule
