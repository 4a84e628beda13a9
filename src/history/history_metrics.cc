#include "history/history_metrics.h"

#include <vector>

namespace zaman::history {
namespace {

using Outcome = metrics::WorkflowOutcomeMetrics::Outcome;

// Indexed by kind; kinds without a name of their own share "Unknown".
std::vector<std::unique_ptr<metrics::TaskMetrics>> MakeAll(const std::vector<const char*>& names) {
  std::vector<std::unique_ptr<metrics::TaskMetrics>> all;
  for (const char* name : names) all.push_back(std::make_unique<metrics::TaskMetrics>(name));
  return all;
}

template <typename Kind>
const metrics::TaskMetrics& Pick(const std::vector<std::unique_ptr<metrics::TaskMetrics>>& all, Kind kind) {
  size_t i = static_cast<size_t>(kind);
  return *all[i < all.size() ? i : 0];
}

}  // namespace

metrics::OperationMetrics& OperationOf(HistoryOperation operation) {
  static auto* workflow = new metrics::OperationMetrics(metrics::Service::kHistory, "RecordWorkflowTaskStarted");
  static auto* activity = new metrics::OperationMetrics(metrics::Service::kHistory, "RecordActivityTaskStarted");
  return operation == HistoryOperation::kRecordWorkflowTaskStarted ? *workflow : *activity;
}

const metrics::TaskMetrics& TaskMetricsOf(const TransferTask& task) {
  static const auto* all = new std::vector<std::unique_ptr<metrics::TaskMetrics>>(MakeAll({
      "TransferActiveTaskUnknown",              // KIND_UNSPECIFIED
      "TransferActiveTaskWorkflowTask",         // WORKFLOW_TASK
      "TransferActiveTaskActivityTask",         // ACTIVITY_TASK
      "VisibilityTaskUpsertExecution",          // VISIBILITY
      "TransferActiveTaskStartChildExecution",  // START_CHILD
      "TransferActiveTaskCloseExecution",       // CHILD_CLOSED
      "TransferActiveTaskParentClosePolicy",    // PARENT_CLOSE_POLICY
      "TransferActiveTaskSignalExecution",      // SIGNAL_EXTERNAL
      "TransferActiveTaskCancelExecution",      // CANCEL_EXTERNAL
      "VisibilityTaskDeleteExecution",          // DELETE_VISIBILITY
  }));
  return Pick(*all, task.kind());
}

const metrics::TaskMetrics& TaskMetricsOf(const TimerTask& task) {
  static const auto* all = new std::vector<std::unique_ptr<metrics::TaskMetrics>>(MakeAll({
      "TimerActiveTaskUnknown",              // KIND_UNSPECIFIED
      "TimerActiveTaskUserTimer",            // USER_TIMER
      "TimerActiveTaskWorkflowTaskTimeout",  // WORKFLOW_TASK_TIMEOUT
      "TimerActiveTaskActivityTimeout",      // ACTIVITY_TIMEOUT
      "TimerActiveTaskActivityRetryTimer",   // ACTIVITY_RETRY
      "TimerActiveTaskWorkflowTimeout",      // WORKFLOW_RUN_TIMEOUT
      "TimerActiveTaskWorkflowBackoffTimer", // WORKFLOW_BACKOFF
  }));
  return Pick(*all, task.kind());
}

void CountClosedRuns(const persistence::ShardTransaction& tx) {
  if (!metrics::Enabled()) return;
  for (const persistence::ExecutionUpdate& update : tx.updates) {
    if (update.events.empty()) continue;
    Outcome outcome;
    switch (update.events.back().event_type()) {
      case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        outcome = Outcome::kSuccess;
        break;
      case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        outcome = Outcome::kFailed;
        break;
      case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        outcome = Outcome::kTimeout;
        break;
      case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        outcome = Outcome::kTerminate;
        break;
      case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        outcome = Outcome::kCancel;
        break;
      case temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        outcome = Outcome::kContinuedAsNew;
        break;
      default:
        continue;
    }
    metrics::WorkflowOutcomeMetrics::ForNamespaceId(update.state.namespace_id())
        .Closed(outcome, update.state.history_size_bytes(), update.state.next_event_id() - 1);
  }
}

}  // namespace zaman::history
