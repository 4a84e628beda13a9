#pragma once

#include <functional>
#include <string>

#include "history/history_client.h"
#include "worker/schedule/scheduler.h"

namespace zaman::worker::schedule {

// WorkflowActions on the history role: what a schedule starts, watches,
// cancels and terminates goes through the same engine calls as a client's
// request (search attributes checked and typed against the namespace).
class HistoryWorkflowActions final : public WorkflowActions {
 public:
  using Resolver = std::function<absl::StatusOr<history::NamespaceRef>(const std::string& namespace_name)>;
  HistoryWorkflowActions(history::HistoryClient& history, Resolver resolve)
      : history_(history), resolve_(std::move(resolve)) {}

  absl::StatusOr<wsv1::StartWorkflowExecutionResponse> Start(const std::string& namespace_name,
                                                             wsv1::StartWorkflowExecutionRequest request) override;
  absl::StatusOr<RunState> Describe(const std::string& namespace_name, const std::string& workflow_id) override;
  absl::Status Cancel(const std::string& namespace_name, const temporal::api::common::v1::WorkflowExecution& run,
                      const std::string& identity, const std::string& reason) override;
  absl::Status Terminate(const std::string& namespace_name, const temporal::api::common::v1::WorkflowExecution& run,
                         const std::string& identity, const std::string& reason) override;

 private:
  history::HistoryClient& history_;
  Resolver resolve_;
};

}  // namespace zaman::worker::schedule
