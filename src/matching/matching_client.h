#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "temporal/api/query/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"
#include "zaman/persistence/v1/execution.pb.h"

namespace zaman::matching {

using TransferTask = ::zaman::persistence::v1::TransferTask;
using QueryAnswer = ::temporal::api::workflowservice::v1::RespondQueryTaskCompletedRequest;

// A task queue: namespace id, name, and whether it holds workflow or
// activity tasks.
using TaskQueueKey = std::tuple<std::string, std::string, TransferTask::Kind>;

struct PollerInfo {
  std::string identity;
  absl::Time last_access_time;
};

// A task queue's backlog and traffic (Temporal's TaskQueueStats).
struct TaskQueueStats {
  int64_t backlog_count = 0;         // waiting: in memory and in the task-queue store
  absl::Duration backlog_age;        // of the oldest waiting task; zero when none waits
  double add_rate = 0;               // new tasks per second, over the last 30 seconds
  double dispatch_rate = 0;          // tasks handed to workers per second, likewise
};

// One partition's place in the task-queue store (Temporal's legacy
// TaskQueueStatus); zero without a store.
struct PartitionStatus {
  int64_t backlog_count = 0;
  int64_t read_level = 0;  // the highest stored task id read
  int64_t ack_level = 0;   // every stored task id up to here is done
  int64_t range_id = 0;    // this host's lease; its task ids start at range_id << kTaskIdRangeBits
};

// What DescribeTaskQueue shows of one queue of one kind.
struct TaskQueueDescription {
  std::vector<PollerInfo> pollers;  // each worker once, with its latest poll
  TaskQueueStats stats;             // of the queue named: with every partition when it is the root
  PartitionStatus status;           // of the partition named (the root: partition 0)
};

// What a poll gets: a task, and for a query task its query.
struct PolledTask {
  TransferTask task;
  std::optional<temporal::api::query::v1::WorkflowQuery> query;
};

// The matching role as its callers see it: history hands it the tasks its
// outbox commits, the frontend parks workers' polls on it and sends it
// queries. In one process it is the local MatchingHost; across hosts a
// routing gRPC client (src/matching/rpc/); its callers never know which they
// have. Thread-safe; callbacks must not block.
class MatchingClient {
 public:
  virtual ~MatchingClient() = default;

  // A task for the queue's next poller (or its backlog). `done` hears
  // whether matching stored the task in its own durable backlog (the
  // caller's outbox need not keep it), or errors::StickyWorkerUnavailable for
  // a workflow task on a sticky queue nobody polls (the caller sends it to
  // the normal queue instead), or Unavailable when matching could not be
  // reached (the caller tries again).
  virtual void AddTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) = 0;

  // A task for a poller parked right now, else nothing: `done` hears
  // whether one took it. A partition offers its tasks to its queue's root
  // this way, where pollers of other partitions wait.
  virtual void OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) = 0;

  // Calls `on_done` exactly once: with a task, or with nullopt at
  // `deadline` (or at shutdown). `abandoned` tells whether the caller went
  // away; such polls get no task. `sticky`: the queue is a worker's sticky
  // queue (never partitioned).
  virtual void Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
                    std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) = 0;

  // The worker behind a sticky queue stopped (ShutdownWorker): its parked
  // polls are answered empty, the queue forgotten, and the tasks waiting in
  // it returned for the caller to route elsewhere. Blocks.
  virtual absl::StatusOr<std::vector<TransferTask>> DropStickyQueue(const std::string& namespace_id,
                                                                    const std::string& sticky_queue) = 0;

  // The queue's pollers, backlog and rates (DescribeTaskQueue). A queue
  // named by its own name is described whole, every partition summed; a
  // partition's name describes that partition. `sticky`: a worker's sticky
  // queue (never partitioned). Blocks.
  virtual absl::StatusOr<TaskQueueDescription> Describe(const TaskQueueKey& queue, bool sticky) = 0;

  // A query: `query_task` (its query_id set) goes to the run's queue, and
  // `done` gets the worker's answer, or DeadlineExceeded at `deadline`.
  virtual void QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                             absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) = 0;
  // A worker's answer to the query task of `queue` (the queue the query
  // was put on). NotFound when nobody waits for it any more.
  virtual void RespondQueryTask(const TaskQueueKey& queue, const std::string& query_id, QueryAnswer answer,
                                std::function<void(absl::Status)> done) = 0;
};

}  // namespace zaman::matching
