#pragma once

// The history role's series (metrics/metrics.h): its RPCs, its outbox and
// timer tasks, and how runs close.

#include <memory>

#include "history/shard.h"
#include "metrics/metrics.h"

namespace zaman::history {

enum class HistoryOperation { kRecordWorkflowTaskStarted, kRecordActivityTaskStarted };
metrics::OperationMetrics& OperationOf(HistoryOperation operation);

// `done`, counted as one request of `operation` (service_name="history").
template <typename T>
std::function<void(absl::StatusOr<T>)> Counted(HistoryOperation operation, const std::string& namespace_name,
                                               std::function<void(absl::StatusOr<T>)> done) {
  if (!metrics::Enabled()) return done;
  auto timer = std::make_shared<metrics::RequestTimer>(OperationOf(operation), namespace_name);
  return [timer, done = std::move(done)](absl::StatusOr<T> result) {
    timer->Finish(result.status().code());
    done(std::move(result));
  };
}

// task_requests/task_errors/task_latency of the task's kind, with Temporal's
// operation names (TransferActiveTaskActivityTask, TimerActiveTaskUserTimer…).
const metrics::TaskMetrics& TaskMetricsOf(const TransferTask& task);
const metrics::TaskMetrics& TaskMetricsOf(const TimerTask& task);

// Times the processing of one outbox task, from here to the end of the scope.
class TimedTask {
 public:
  explicit TimedTask(const TransferTask& task) : metrics_(TaskMetricsOf(task)), started_(absl::Now()) {}
  ~TimedTask() { metrics_.Processed(absl::Now() - started_); }
  TimedTask(const TimedTask&) = delete;
  TimedTask& operator=(const TimedTask&) = delete;

 private:
  const metrics::TaskMetrics& metrics_;
  const absl::Time started_;
};

// workflow_success, workflow_failed… and history_size/history_count of the
// runs that `tx` closed; called once it has committed.
void CountClosedRuns(const persistence::ShardTransaction& tx);

}  // namespace zaman::history
