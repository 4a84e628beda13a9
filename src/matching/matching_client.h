#pragma once

#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "zaman/persistence/v1/execution.pb.h"

namespace zaman::matching {

using TransferTask = ::zaman::persistence::v1::TransferTask;

// A task queue: namespace id, name, and whether it holds workflow or
// activity tasks.
using TaskQueueKey = std::tuple<std::string, std::string, TransferTask::Kind>;

struct PollerInfo {
  std::string identity;
  absl::Time last_access_time;
};

// The matching role as its callers see it: history hands it the tasks its
// outbox commits, the frontend parks workers' polls on it. In one process
// it is the MatchingEngine itself; its callers never know which
// implementation they have. Thread-safe; callbacks must not block.
class MatchingClient {
 public:
  virtual ~MatchingClient() = default;

  // A task for the queue's next poller (or its backlog).
  virtual void AddTask(const TransferTask& task) = 0;

  // Calls `on_done` exactly once: with a task, or with nullopt at
  // `deadline` (or at shutdown). `abandoned` tells whether the caller went
  // away; such polls get no task.
  virtual void Poll(const TaskQueueKey& queue, const std::string& identity, absl::Time deadline,
                    std::function<bool()> abandoned,
                    std::function<void(std::optional<TransferTask>)> on_done) = 0;

  // Whether a worker is (or was just now) polling this sticky queue. When
  // none is, its workflow tasks go to the normal queue instead.
  virtual bool StickyWorkerAvailable(const std::string& namespace_id, const std::string& sticky_queue) = 0;
  // The worker behind a sticky queue stopped (ShutdownWorker): its parked
  // polls are answered empty, the queue forgotten, and the tasks waiting in
  // it returned for the caller to route elsewhere.
  virtual std::vector<TransferTask> DropStickyQueue(const std::string& namespace_id,
                                                    const std::string& sticky_queue) = 0;

  // Every worker that has polled the queue, with its last poll (DescribeTaskQueue).
  virtual std::vector<PollerInfo> Pollers(const TaskQueueKey& queue) = 0;
};

}  // namespace zaman::matching
